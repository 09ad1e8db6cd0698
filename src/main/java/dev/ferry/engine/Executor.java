package dev.ferry.engine;

import dev.ferry.store.Keyspace;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.Set;

/**
 * Redis's call(): runs one command that passed the dispatcher's checks, keeps its statistics, and hands
 * its effect to the replication stream when it changed the dataset (ARCHITECTURE.md rules 1 and 5). EXEC
 * calls it for each queued command, so a transaction is propagated command by command inside MULTI ... EXEC.
 *
 * <p>Whatever a handler throws ends here: the client always gets exactly one reply per command and the
 * connection stays in step, and an effect already applied is still propagated.
 */
public final class Executor {
    private static final Logger LOG = Logger.getLogger(Executor.class);

    private final ServerContext server;
    private final Keyspace keyspace;
    /** Nesting depth: EXEC's queued commands run inside EXEC's own call. */
    private int depth;
    /** Commands whose unexpected failure was already logged with its stack (once each, not per call). */
    private final Set<String> loggedFailures = new HashSet<>();
    /** True while a connection's read is being executed ({@link #beginBatch}). */
    private boolean batch;
    /**
     * In a batch, when the last top-level command ended (System.nanoTime()); 0 when the next command must read
     * the clock itself.
     */
    private long lastEnd;

    public Executor(ServerContext server) {
        this.server = server;
        this.keyspace = server.keyspace();
    }

    /**
     * The commands of one read from one connection follow each other with nothing but their own parsing in
     * between, so within a batch each command starts when the one before it ended: one clock read per command
     * instead of two (a clock read costs as much as a small command's own work on a virtual machine's clock).
     * A command's time (INFO commandstats usec) is then the loop's time on it: its parsing, execution and
     * propagation. The caller must call {@link #endBatch} when the read is done.
     */
    public void beginBatch() {
        batch = true;
        lastEnd = 0;
    }

    /**
     * Something other than parsing ran since the last command (the dispatcher refused or queued one): the next
     * command reads the clock at its start.
     */
    void unchainClock() {
        lastEnd = 0;
    }

    /** Ends {@link #beginBatch}: the next command reads the clock at its start. */
    public void endBatch() {
        batch = false;
        lastEnd = 0;
    }

    public void call(Call call, CommandSpec cmd, byte[][] argv) {
        // the clock is read once per top-level command: every command of an EXEC sees the same instant, as
        // in Redis, so a key cannot expire halfway through a transaction
        long start = depth == 0 && lastEnd != 0 ? lastEnd : System.nanoTime();
        if (depth == 0) keyspace.tick(start);
        depth++;
        // the enclosing command's redactions (EXEC's queued commands reuse its Call)
        java.util.BitSet enclosingRedacted = call.redacted;
        call.begin(cmd, argv);
        call.denyBlocking = depth > 1;
        int replyMark = call.reply.position();
        long dirtyBefore = keyspace.dirty();
        try {
            cmd.handler.execute(call);
        } catch (ReplyError e) {
            fail(call, cmd, replyMark, e.getMessage());
        } catch (OutOfMemoryError e) {
            // the allocation failed inside this command: the heap is fine again once its garbage is gone,
            // so the client gets Redis's OOM words instead of a missing reply
            fail(call, cmd, replyMark, Errors.OOM);
            LOG.errorf("Out of memory running '%s' for client %d: %s", cmd.fullName, call.client.id(), e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            fail(call, cmd, replyMark, "ERR internal error running '" + cmd.fullName + "': " + e.getClass().getSimpleName());
            if (loggedFailures.add(cmd.fullName)) {
                LOG.errorf(e, "Unexpected failure running '%s' (logged once per command)", cmd.fullName);
            } else {
                LOG.errorf("Unexpected failure running '%s': %s", cmd.fullName, e);
            }
        } finally {
            depth--;
        }
        java.util.BitSet redacted = call.redacted;
        call.redacted = enclosingRedacted;
        // Redis 7.0's call() feeds the monitors after the command, with the arguments as received: EXEC's line
        // follows its queued commands'; admin commands are not shown (a blocked command is, once, when it blocks)
        if (server.monitors().active() && !cmd.is(CommandFlags.ADMIN | CommandFlags.SKIP_MONITOR)) {
            server.monitors().feed(call.client, argv, redacted);
        }
        // a command that blocked counts when it is served or times out (Redis's updateStatsOnUnblock)
        if (!call.blocked) {
            cmd.calls++;
            server.stats().commandsProcessed++;
        }
        if ((keyspace.dirty() != dirtyBefore || call.forcePropagationSet()) && !call.propagateNothingSet()) propagateSafely(call, cmd);
        long end = System.nanoTime();
        cmd.micros += (end - start) / 1000;
        if (depth > 0) return;
        lastEnd = batch ? end : 0;
        // keys a command (or a whole EXEC) made ready are served once it is complete, before anything else
        // runs (Redis's handleClientsBlockedOnKeys after call()); they time themselves
        if (server.blocked().hasReadyKeys()) {
            lastEnd = 0;
            server.blocked().handleReadyKeys(this);
        }
    }

    /**
     * Runs a blocked command's waiter for a ready key as a command of its own: the client's Call set up with
     * the command's argv, statistics counted and effects propagated when it serves. Returns whether it served.
     */
    boolean serveBlocked(Call call, CommandSpec cmd, byte[][] argv, BlockedClients.Waiter waiter, byte[] key) {
        long start = System.nanoTime();
        keyspace.tick(start);
        depth++;
        call.begin(cmd, argv);
        call.denyBlocking = true;
        int replyMark = call.reply.position();
        long dirtyBefore = keyspace.dirty();
        boolean served;
        try {
            served = waiter.tryServe(call, key);
        } catch (ReplyError e) {
            fail(call, cmd, replyMark, e.getMessage());
            served = true;
        } catch (RuntimeException e) {
            fail(call, cmd, replyMark, "ERR internal error running '" + cmd.fullName + "': " + e.getClass().getSimpleName());
            LOG.errorf(e, "Unexpected failure serving blocked '%s'", cmd.fullName);
            served = true;
        } finally {
            depth--;
        }
        if (!served) return false;
        cmd.micros += (System.nanoTime() - start) / 1000;
        cmd.calls++;
        server.stats().commandsProcessed++;
        if (keyspace.dirty() != dirtyBefore && !call.propagateNothingSet()) propagateSafely(call, cmd);
        return true;
    }

    /** True while EXEC runs its queued commands (Redis's CLIENT_DENY_BLOCKING during EXEC). */
    public boolean inExec() {
        return depth > 1;
    }

    /**
     * The command has run and answered: a failure to propagate it (a bug) is logged and must not take the
     * client's reply, or the rest of its pipeline, with it (ARCHITECTURE.md rule 8: one reply per command).
     */
    private void propagateSafely(Call call, CommandSpec cmd) {
        try {
            propagate(call);
        } catch (RuntimeException e) {
            if (loggedFailures.add("propagate " + cmd.fullName)) {
                LOG.errorf(e, "Unexpected failure propagating '%s' (logged once per command)", cmd.fullName);
            } else {
                LOG.errorf("Unexpected failure propagating '%s': %s", cmd.fullName, e);
            }
        }
    }

    private void propagate(Call call) {
        ReplicationStream stream = server.replication();
        int db = call.client.db().index();
        java.util.List<byte[][]> more = call.moreEffects();
        if (more == null) {
            stream.propagate(db, call.effect());
        } else {
            stream.beginTransaction();
            stream.propagate(db, call.effect());
            for (byte[][] effect : more) stream.propagate(db, effect);
            stream.endTransaction();
        }
        // what WAIT waits for: the stream up to this client's last write (Redis's c->woff)
        call.client.replOffset(stream.offset());
    }

    /** Replaces whatever the command had started to write with one error reply. */
    private void fail(Call call, CommandSpec cmd, int replyMark, String message) {
        call.reply.truncate(replyMark);
        call.reply.error(message);
        cmd.failedCalls++;
        server.stats().errorReply(message);
    }
}
