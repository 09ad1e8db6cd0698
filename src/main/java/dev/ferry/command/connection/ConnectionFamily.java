package dev.ferry.command.connection;

import dev.ferry.engine.*;

import dev.ferry.protocol.Ascii;
import dev.ferry.protocol.Reply;
import dev.ferry.engine.Client;
import dev.ferry.engine.config.ServerSettings;

import static dev.ferry.engine.CommandFlags.*;

/** PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH. */
public final class ConnectionFamily implements CommandFamily {

    @Override
    public void register(CommandTable t) {
        t.add("ping", -1, FAST, 0, 0, 0, "connection", this::ping);
        t.add("echo", 2, FAST | STALE | LOADING, 0, 0, 0, "connection", c -> c.reply.bulk(c.arg(1)));
        t.add("select", 2, LOADING | STALE | FAST, 0, 0, 0, "connection", this::select);
        t.add("quit", -1, NOSCRIPT | ALLOW_BUSY | NO_AUTH | LOADING | STALE | FAST | TRANSACTION_CONTROL, 0, 0, 0, "connection", this::quit);
        t.add("reset", 1, NOSCRIPT | LOADING | STALE | NO_AUTH | ALLOW_BUSY | FAST | TRANSACTION_CONTROL, 0, 0, 0, "connection", this::reset);
        t.add("hello", -1, NOSCRIPT | LOADING | STALE | NO_AUTH | FAST | ALLOW_BUSY, 0, 0, 0, "connection", this::hello);
        t.add("auth", -2, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, 0, 0, 0, "connection", this::auth);
    }

    private void ping(Call c) {
        if (c.argc() > 2) throw Errors.of(Errors.wrongArgs("ping"));
        if (c.client.subscribed() && c.client.protocol() == 2) {
            // pingCommand in pubsub mode: ["pong", message or ""]
            c.reply.array(2);
            c.reply.bulk(PONG);
            c.reply.bulk(c.argc() == 1 ? new byte[0] : c.arg(1));
            return;
        }
        if (c.argc() == 1) c.reply.simple("PONG");
        else c.reply.bulk(c.arg(1));
    }

    private static final byte[] PONG = {'p', 'o', 'n', 'g'};

    private void select(Call c) {
        long index = c.longArg(1);
        if (index < 0 || index >= c.keyspace().databases()) throw Errors.of(Errors.DB_INDEX);
        c.client.select((int) index);
        c.reply.ok();
    }

    private void quit(Call c) {
        c.reply.ok();
        c.client.channel().closeAfterReply();
    }

    private void reset(Call c) {
        Client s = c.client;
        if (s.inMulti()) s.transaction().end();
        s.transaction().unwatchAll();
        c.server.pubsub().unsubscribeAll(s);
        s.select(0);
        s.protocol(2);
        s.name("");
        s.replyMode(Client.REPLY_ON);
        s.noEvict(false);
        s.noTouch(false);
        s.authenticated(c.server.settings().requirepass == null);
        // clearClientConnectionState: out of MONITOR mode
        c.server.monitors().remove(s);
        c.reply.simple("RESET");
    }

    private void auth(Call c) {
        if (c.argc() > 3) throw Errors.syntax();
        // always, as Redis 7.0's authCommand: MONITOR never shows a password, right or wrong
        c.redact(1);
        if (c.argc() == 3) c.redact(2);
        String user = c.argc() == 3 ? c.argString(1) : "default";
        String pass = c.argString(c.argc() - 1);
        ServerSettings s = c.server.settings();
        if (c.argc() == 2 && s.requirepass == null) {
            throw Errors.of("ERR AUTH <password> called without any password configured for the default user. "
                + "Are you sure your configuration is correct?");
        }
        if (!checkPassword(s, user, pass)) {
            throw Errors.of(Errors.WRONGPASS);
        }
        c.client.authenticated(true);
        c.reply.ok();
    }

    /** Ferry has one user, "default", with requirepass as its password (or none), like Redis without ACLs. */
    private static boolean checkPassword(ServerSettings s, String user, String pass) {
        if (!"default".equals(user)) return false;
        return s.requirepass == null || java.security.MessageDigest.isEqual(
            Ascii.bytes(s.requirepass), Ascii.bytes(pass));
    }

    private void hello(Call c) {
        Client s = c.client;
        int version = s.protocol();
        int next = 1;
        if (c.argc() >= 2) {
            long v;
            try {
                v = Call.parseLong(c.arg(1));
            } catch (ReplyError e) {
                throw Errors.of("ERR Protocol version is not an integer or out of range");
            }
            if (v < 2 || v > 3) throw Errors.of("NOPROTO unsupported protocol version");
            version = (int) v;
            next = 2;
        }
        String setName = null;
        boolean authed = false;
        for (int i = next; i < c.argc(); i++) {
            int more = c.argc() - i - 1;
            if (c.argIs(i, "auth") && more >= 2) {
                c.redact(i + 1);
                c.redact(i + 2);
                if (!checkPassword(c.server.settings(), c.argString(i + 1), c.argString(i + 2))) {
                    throw Errors.of(Errors.WRONGPASS);
                }
                authed = true;
                i += 2;
            } else if (c.argIs(i, "setname") && more >= 1) {
                setName = c.argString(i + 1);
                i += 1;
            } else {
                throw Errors.of("ERR Syntax error in HELLO option '" + c.argString(i) + "'");
            }
        }
        if (authed) s.authenticated(true);
        if (!s.authenticated()) {
            throw Errors.of("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select "
                + "the RESP protocol version at the same time");
        }
        if (setName != null) {
            s.name(setName);
        }
        s.protocol(version);
        Reply r = c.reply;
        r.map(7);
        r.bulk("server");
        r.bulk("redis");
        r.bulk("version");
        r.bulk(ServerContext.REDIS_VERSION);
        r.bulk("proto");
        r.integer(version);
        r.bulk("id");
        r.integer(s.id());
        r.bulk("mode");
        r.bulk("standalone");
        r.bulk("role");
        r.bulk(c.server.replicationLinks().isReplica() ? "replica" : "master");
        r.bulk("modules");
        r.array(0);
    }
}
