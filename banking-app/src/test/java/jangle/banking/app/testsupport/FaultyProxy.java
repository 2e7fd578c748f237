package jangle.banking.app.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on 127.0.0.1 in front of a real server (the embedded PostgreSQL), that can lose the connection the way a
 * crashed server or a broken network does: {@link #cut()} resets every relayed connection (RST) and refuses new ones
 * until {@link #heal()}. {@link #cutAfterCommit(String)} cuts right after the server has acknowledged the end of the
 * transaction whose client text contained a marker, so the client has its commit and loses the connection at once.
 * That end is the server's ReadyForQuery with the status "idle": after an explicit COMMIT, and after a text sent with
 * auto-commit, which the server commits as one implicit transaction before it answers (Jangle's appends on
 * PostgreSQL).
 * Test support only; bounded to loopback.
 */
public final class FaultyProxy implements AutoCloseable {
    /** PostgreSQL's ReadyForQuery message with the status "idle": no transaction is open any more. */
    private static final String READY_IDLE = "Z\0\0\0\u0005I";

    private final int targetPort;
    private final ServerSocket server;
    private final List<Socket> live = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean refusing;
    private volatile String armedMarker;
    private volatile boolean swallowAck;
    private final CountDownLatch cutDone = new CountDownLatch(1);

    public FaultyProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "faulty-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Resets every relayed connection and refuses new ones until {@link #heal()}. */
    public void cut() {
        refusing = true;
        for (Socket s : live) reset(s);
        live.clear();
        cutDone.countDown();
    }

    /** Relays new connections again. */
    public void heal() {
        refusing = false;
    }

    /**
     * Arms a {@link #cut()} after the first transaction end acknowledged on a connection whose client sent
     * {@code marker}.
     */
    public void cutAfterCommit(String marker) {
        swallowAck = false;
        armedMarker = marker;
    }

    /**
     * Like {@link #cutAfterCommit} but the server's acknowledgement is not passed on: the transaction has committed
     * and the client cannot know it (the ambiguous commit of a connection lost at the worst moment).
     */
    public void cutBeforeCommitAck(String marker) {
        swallowAck = true;
        armedMarker = marker;
    }

    /** Waits until a cut has happened. */
    public boolean awaitCut(long seconds) throws InterruptedException {
        return cutDone.await(seconds, TimeUnit.SECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (refusing) {
                    reset(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                live.add(client);
                live.add(upstream);
                boolean[] sawMarker = {false};
                pump(client, upstream, (window, chunk) -> {
                    String marker = armedMarker;
                    if (marker != null && window.contains(marker)) sawMarker[0] = true;
                    return false;
                });
                // a message that ends in this chunk: an older one (before the marker) must not trigger the cut
                pump(upstream, client, (window, chunk) -> {
                    if (!sawMarker[0] || armedMarker == null) return false;
                    int at = window.lastIndexOf(READY_IDLE);
                    return at >= 0 && at + READY_IDLE.length() > window.length() - chunk.length();
                });
            } catch (IOException e) {
                // closed, or the upstream refused: the client sees its socket end
            }
        }
    }

    /** Whether, after forwarding {@code chunk} (ISO-8859-1 text; {@code window} adds some earlier bytes), to cut. */
    private interface CutRule {
        boolean after(String window, String chunk);
    }

    private void pump(Socket from, Socket to, CutRule rule) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            String tail = "";
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    String chunk = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                    String window = tail + chunk;
                    tail = window.length() > 256 ? window.substring(window.length() - 256) : window;
                    boolean cutNow = rule.after(window, chunk);
                    if (!(cutNow && swallowAck)) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                    if (cutNow) {
                        armedMarker = null;
                        cut();
                        return;
                    }
                }
            } catch (IOException e) {
                // one side ended or was cut
            } finally {
                reset(from);
                reset(to);
            }
        }, "faulty-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0); // close with RST: the peer reads "Connection reset"
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        refusing = true;
        server.close();
        for (Socket s : live) reset(s);
    }
}
