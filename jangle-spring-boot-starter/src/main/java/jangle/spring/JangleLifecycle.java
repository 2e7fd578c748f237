package jangle.spring;

import jangle.Jangle;
import org.springframework.context.SmartLifecycle;

/**
 * Ties Jangle's dispatcher and daemons to the context. Its phase is below the web server's, so it starts before the
 * server takes requests and stops after the server has finished its graceful shutdown: commands accepted during the
 * shutdown still reach the handlers. Stopping is {@link Jangle#close()}: it stops taking work, drains the hand-off up to
 * a timeout and leaves unfinished deliveries pending for the next start (no event is lost). A stopped application
 * does not start again; the context closes it for good.
 */
public final class JangleLifecycle implements SmartLifecycle {
    /** Below the web server's start/stop (DEFAULT_PHASE - 2048) and graceful shutdown (DEFAULT_PHASE - 1024). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final Jangle jangle;
    private final boolean autoStartup;
    private volatile boolean running;

    public JangleLifecycle(Jangle jangle, boolean autoStartup) {
        this.jangle = jangle;
        this.autoStartup = autoStartup;
    }

    @Override
    public void start() {
        jangle.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        jangle.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
