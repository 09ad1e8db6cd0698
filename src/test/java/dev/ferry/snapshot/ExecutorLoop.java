package dev.ferry.snapshot;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The executing loop of a background snapshot in tests that run one without a server: a single-thread executor
 * (of normal scheduling policy), on which no commands run.
 */
final class ExecutorLoop implements Snapshot.Loop {
    private final ScheduledExecutorService loop;

    ExecutorLoop(ScheduledExecutorService loop) {
        this.loop = loop;
    }

    @Override
    public void runSoon(Runnable task) {
        loop.execute(task);
    }

    @Override
    public void runAfter(long millis, Runnable task) {
        loop.schedule(task, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public long commandsExecuted() {
        return 0;
    }
}
