package jangle;

/**
 * A write that moves a processor's checkpoint was refused because the node no longer holds that segment's lease
 * (D21): another node took it over after the lease ran out. Nothing of the write was committed; the segment's new
 * holder handles the event.
 */
public final class LeaseLostException extends StoreException {
    private final String processor;
    private final int segment;
    private final String owner;

    public LeaseLostException(String processor, int segment, String owner) {
        super("checkpoints", "a checkpoint advance", "node '" + owner + "' no longer holds segment " + segment
                + " of processor '" + processor + "'");
        this.processor = processor;
        this.segment = segment;
        this.owner = owner;
    }

    public String processor() {
        return processor;
    }

    public int segment() {
        return segment;
    }

    public String owner() {
        return owner;
    }
}
