package dev.ferry.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the start-up still waits for (/q/health/started stays DOWN while any phase is held): the load of the
 * snapshot of {@code ferry.dir} holds one from before the port opens until its keys are in. A later phase (say,
 * a bootstrap from the archive) holds its own with {@link #hold} before the one it follows ends, and releases it
 * when done. Any thread may hold, release and read.
 */
public final class StartupPhases {
    private final List<Phase> held = new CopyOnWriteArrayList<>();

    /** One phase being held; {@link #release()} ends it (twice is harmless). */
    public final class Phase {
        private final String name;

        private Phase(String name) {
            this.name = name;
        }

        public void release() {
            held.remove(this);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Holds a phase named what it waits for ("load the snapshot"), shown by the probe while held. */
    public Phase hold(String name) {
        Phase p = new Phase(name);
        held.add(p);
        return p;
    }

    /** True once no phase is held. */
    public boolean done() {
        return held.isEmpty();
    }

    /** The names of the phases held now. */
    public List<String> pending() {
        return held.stream().map(Phase::toString).toList();
    }
}
