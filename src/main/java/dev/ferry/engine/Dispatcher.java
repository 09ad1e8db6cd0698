package dev.ferry.engine;

import dev.ferry.engine.Call;
import dev.ferry.engine.CommandFlags;
import dev.ferry.engine.CommandSpec;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.Errors;
import dev.ferry.engine.Executor;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.protocol.Reply;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Redis's processCommand: finds the command, checks arity, AUTH and MULTI once for every command, then
 * runs it through the {@link Executor} (which also feeds the replication stream). Handlers never repeat
 * these checks.
 */
public final class Dispatcher {
    /** rejectCommandFormat's words for DEBUG in Redis 7.0's processCommand. */
    static final String DEBUG_NOT_ALLOWED = "ERR DEBUG command not allowed. If the enable-debug-command option is set "
        + "to \"local\", you can run it from a local connection, otherwise you need to set this option in the "
        + "configuration file, and then restart the server.";

    private final ServerContext server;
    private final CommandTable table;
    private final Executor executor;

    public Dispatcher(ServerContext server) {
        this.server = server;
        this.table = server.commands();
        this.executor = server.callExecutor();
    }

    void execute(Client c, byte[][] argv) {
        Reply reply = c.reply();
        CommandSpec cmd = table.lookup(argv[0]);
        if (cmd == null) {
            reject(c, unknownCommand(argv));
            return;
        }
        if (cmd.hasSubcommands() && argv.length >= 2) {
            CommandSpec sub = CommandTable.subcommand(cmd, argv[1]);
            if (sub == null) {
                reject(c, "ERR unknown subcommand '" + cString(argv[1], 128) + "'. Try "
                    + cString(argv[0], Integer.MAX_VALUE).toUpperCase(Locale.ROOT) + " HELP.");
                return;
            }
            cmd = sub;
        }
        if (!cmd.arityOk(argv.length)) {
            cmd.rejectedCalls++;
            if (c.inMulti() && cmd.is(CommandFlags.TRANSACTION_CONTROL) && cmd.name.equals("exec")) {
                // Redis's rejectCommand for EXEC: the transaction is discarded (execCommandAbort)
                c.transaction().end();
                c.transaction().unwatchAll();
                reject(c, "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
                return;
            }
            reject(c, Errors.wrongArgs(cmd.fullName));
            return;
        }
        // Redis 7.0 checks protected commands right after arity, before AUTH
        if (cmd.is(CommandFlags.PROTECTED) && !ServerSettings.allowsProtectedAction(server.settings().enableDebugCommand, peerIp(c))) {
            cmd.rejectedCalls++;
            reject(c, DEBUG_NOT_ALLOWED);
            return;
        }
        if (!c.authenticated() && !cmd.is(CommandFlags.NO_AUTH)) {
            cmd.rejectedCalls++;
            reject(c, Errors.NOAUTH);
            return;
        }
        // processCommand's is_write_command: a write, or EXEC of a transaction that queued one
        boolean isWrite = cmd.is(CommandFlags.WRITE) || (cmd.name.equals("exec") && c.transaction().queuedWrite());
        // processCommand's writeCommandsDeniedByDiskError: after a failed background save, writes and PING
        // are refused while stop-writes-on-bgsave-error holds
        // (the master's stream is applied anyway: a replica that drops it would diverge for good)
        if (server.persistence().writesDenied() && c.channel().type() != ClientType.MASTER && (isWrite || cmd.name.equals("ping"))) {
            cmd.rejectedCalls++;
            reject(c, MISCONF);
            return;
        }
        ReplicationLinks links = server.replicationLinks();
        // then checkGoodReplicasStatus (for an is_write_command): min-replicas-to-write
        // replicas must have acknowledged within min-replicas-max-lag; rejectCommand discards a transaction whose
        // EXEC it refuses (execCommandAbort)
        if (isWrite && links != null && !links.enoughGoodReplicas()) {
            refuseWrite(c, cmd, NOREPLICAS);
            return;
        }
        // Ferry's own: with ferry.archive.stream.min-archived-lag, writes wait while the stream archive is too far
        // behind (refused like NOREPLICAS, a transaction discarded the same way); the master's stream always runs
        if (isWrite && c.channel().type() != ClientType.MASTER) {
            String refusal = server.writeRefusal();
            if (refusal != null) {
                refuseWrite(c, cmd, refusal);
                return;
            }
        }
        // a replica takes writes from its master only (replica-read-only), as processCommand checks it here
        boolean replica = links != null && links.isReplica() && c.channel().type() != ClientType.MASTER;
        if (replica && server.settings().replicaReadOnly && isWrite) {
            cmd.rejectedCalls++;
            reject(c, READONLY);
            return;
        }
        // Redis 7.0's processCommand: a RESP2 client in pubsub mode runs only these; RESP3 runs anything
        if (c.protocol() == 2 && c.subscribed() && !allowedWhileSubscribed(cmd)) {
            cmd.rejectedCalls++;
            String why = "Can't execute '" + cmd.fullName + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";
            if (cmd.is(CommandFlags.TRANSACTION_CONTROL) && cmd.name.equals("exec")) {
                // rejectCommand of EXEC is execCommandAbort: the transaction (if any) is discarded
                c.transaction().end();
                c.transaction().unwatchAll();
                reject(c, "EXECABORT Transaction discarded because of: " + why);
            } else {
                reject(c, "ERR " + why);
            }
            return;
        }
        // a replica whose link is down answers only "stale" commands when replica-serve-stale-data is no
        if (replica && !links.masterLinkUp() && !server.settings().replicaServeStaleData && !cmd.is(CommandFlags.STALE)) {
            cmd.rejectedCalls++;
            reject(c, MASTERDOWN);
            return;
        }
        // processCommand: while the snapshot loads, only commands flagged "loading" run; the master's client runs
        // an archived stream replayed onto the loaded snapshot before the server opens to writes
        if (server.persistence().loading() && !cmd.is(CommandFlags.LOADING) && c.channel().type() != ClientType.MASTER) {
            cmd.rejectedCalls++;
            reject(c, LOADING);
            return;
        }
        if (c.inMulti() && !cmd.is(CommandFlags.TRANSACTION_CONTROL)) {
            if (cmd.is(CommandFlags.NO_MULTI)) {
                reject(c, "ERR Command not allowed inside a transaction");
                return;
            }
            c.transaction().queue(cmd, argv);
            reply.simple("QUEUED");
            executor.unchainClock(); // EXEC's time is its commands', not their queueing
            return;
        }
        c.lastCommand(cmd.fullName);
        executor.call(c.call(), cmd, argv);
    }

    /** rejectCommand of a write: EXEC's is execCommandAbort (the transaction is discarded). */
    private void refuseWrite(Client c, CommandSpec cmd, String error) {
        cmd.rejectedCalls++;
        if (cmd.name.equals("exec")) {
            c.transaction().end();
            c.transaction().unwatchAll();
            reject(c, "EXECABORT Transaction discarded because of: " + error);
        } else {
            reject(c, error);
        }
    }

    private static final String LOADING = "LOADING Redis is loading the dataset in memory";
    static final String READONLY = "READONLY You can't write against a read only replica.";
    static final String MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    /** shared.noreplicaserr of Redis 7.0. */
    static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";
    /** shared.bgsaveerr of Redis 7.0. */
    static final String MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to"
        + " persist to disk. Commands that may modify the data set are disabled, because this instance is configured"
        + " to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please"
        + " check the Redis logs for details about the RDB error.";

    private static boolean allowedWhileSubscribed(CommandSpec cmd) {
        if (cmd.parent() != null) return false;
        return switch (cmd.name) {
            case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe",
                 "quit", "reset" -> true;
            default -> false;
        };
    }

    /** The peer's address without the port ("ip:port" as CLIENT LIST shows it). */
    private static String peerIp(Client c) {
        String addr = c.channel().addr();
        int colon = addr.lastIndexOf(':');
        return colon < 0 ? addr : addr.substring(0, colon);
    }

    private void reject(Client c, String error) {
        executor.unchainClock();
        c.transaction().flagError();
        c.reply().error(error);
        server.stats().errorReply(error);
    }

    /**
     * "unknown command 'x', with args beginning with: 'a' 'b' " as Redis 7.0 builds it with printf: each
     * argument is a C string (it ends at a NUL byte), the name is cut at 128 bytes and the arguments stop
     * once 128 bytes are written. Bytes are kept as they are (one char per byte, see Reply.error).
     */
    static String unknownCommand(byte[][] argv) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < argv.length && args.length() < 128; i++) {
            args.append('\'').append(cString(argv[i], 128 - args.length())).append("' ");
        }
        return "ERR unknown command '" + cString(argv[0], 128) + "', with args beginning with: " + args;
    }

    /** printf's "%.Ns" of a byte string: up to the first NUL, at most max bytes, one char per byte. */
    static String cString(byte[] b, int max) {
        int n = 0;
        while (n < b.length && n < max && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }
}
