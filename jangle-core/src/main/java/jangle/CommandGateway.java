package jangle;

import jangle.spi.Completion;

/**
 * What the command side offers to dispatch and sagas: the full command loop of §5, with an optional delivery to mark
 * done in the same transaction as the command's events (D15). Package-private seam between the command handler and
 * the dispatch runtime.
 */
interface CommandGateway {
    /**
     * @param options    metadata and expected version (E1–E3 are the caller's job: pass the inherited correlation
     *                   id and the causing event id as causation through {@link SendOptions})
     * @param causationId when not null, overrides the causation id of committed events (E3: the triggering event id)
     * @param completing when not null, written in the append's transaction if the command commits events (D15)
     */
    CommandResponse send(Command command, SendOptions options, java.util.UUID causationId,
                         Completion completing);
}
