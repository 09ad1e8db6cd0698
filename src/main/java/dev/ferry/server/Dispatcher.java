package dev.ferry.server;

import dev.ferry.command.Call;
import dev.ferry.command.CommandFlags;
import dev.ferry.command.CommandSpec;
import dev.ferry.command.CommandTable;
import dev.ferry.command.Errors;
import dev.ferry.command.Executor;
import dev.ferry.protocol.Reply;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Redis's processCommand: finds the command, checks arity, AUTH and MULTI once for every command, then
 * runs it through the {@link Executor} (which also feeds the replication stream). Handlers never repeat
 * these checks.
 */
public final class Dispatcher {
    private final ServerContext server;
    private final CommandTable table;
    private final Executor executor;

    public Dispatcher(ServerContext server) {
        this.server = server;
        this.table = server.commands();
        this.executor = server.callExecutor();
    }

    void execute(ClientSession c, byte[][] argv) {
        Reply reply = c.reply();
        CommandSpec cmd = table.lookup(argv[0]);
        if (cmd == null) {
            reject(c, unknownCommand(argv));
            return;
        }
        if (cmd.hasSubcommands() && argv.length >= 2) {
            CommandSpec sub = CommandTable.subcommand(cmd, argv[1]);
            if (sub == null) {
                reject(c, "ERR unknown subcommand '" + printable(argv[1]) + "'. Try "
                    + cmd.name.toUpperCase(Locale.ROOT) + " HELP.");
                return;
            }
            cmd = sub;
        }
        if (!cmd.arityOk(argv.length)) {
            cmd.rejectedCalls++;
            reject(c, Errors.wrongArgs(cmd.fullName));
            return;
        }
        if (!c.authenticated() && !cmd.is(CommandFlags.NO_AUTH)) {
            cmd.rejectedCalls++;
            reject(c, Errors.NOAUTH);
            return;
        }
        if (c.inMulti() && !cmd.is(CommandFlags.TRANSACTION_CONTROL)) {
            if (cmd.is(CommandFlags.NO_MULTI)) {
                reject(c, "ERR Command not allowed inside a transaction");
                return;
            }
            c.queue(cmd, argv);
            reply.simple("QUEUED");
            return;
        }
        c.lastCommand(cmd.fullName);
        executor.call(c.call(), cmd, argv);
    }

    private void reject(ClientSession c, String error) {
        c.flagMultiError();
        c.reply().error(error);
        server.stats().errorReply(error);
    }

    /** "unknown command 'x', with args beginning with: 'a' 'b' " (Redis 7 wording, 128-char caps). */
    static String unknownCommand(byte[][] argv) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < argv.length && args.length() < 128; i++) {
            String a = printable(argv[i]);
            int room = 128 - args.length();
            args.append('\'').append(a, 0, Math.min(a.length(), room)).append("' ");
        }
        return "ERR unknown command '" + printable(argv[0]) + "', with args beginning with: " + args;
    }

    private static String printable(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        return s.length() > 128 ? s.substring(0, 128) : s;
    }
}
