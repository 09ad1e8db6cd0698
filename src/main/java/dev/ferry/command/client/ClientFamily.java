package dev.ferry.command.client;

import dev.ferry.engine.*;

import dev.ferry.engine.Client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.ferry.engine.CommandFlags.*;

/** CLIENT and its subcommands (networking.c clientCommand and friends). */
public final class ClientFamily implements CommandFamily {
    static final String NO_SUCH_CLIENT = "ERR No such client";
    static final String INVALID_ID = "ERR Invalid client ID";
    static final String ID_NOT_POSITIVE = "ERR client-id should be greater than 0";
    static final String MAXAGE_NOT_INTEGER = "ERR maxage is not an integer or out of range";
    static final String MAXAGE_NOT_POSITIVE = "ERR maxage should be greater than 0";

    private static final String[] HELP = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "    * MAXAGE <maxage>",
        "      Kill connections older than the specified age.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "    * ID <client-id> [<client-id> ...]",
        "      Return clients of specified IDs.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Will not touch LRU/LFU stats when this mode is on.",
        "HELP",
        "    Prints this help.",
    };

    @Override
    public void register(CommandTable t) {
        int f = NOSCRIPT | LOADING | STALE;
        t.add("client", -2, 0, 0, 0, 0, "connection", c -> { throw Errors.syntax(); })
            .sub("id", 2, f, 0, 0, 0, c -> c.reply.integer(c.client.id()))
            .sub("setname", 3, f, 0, 0, 0, this::setName)
            .sub("getname", 2, f, 0, 0, 0, this::getName)
            .sub("info", 2, f, 0, 0, 0, c -> c.reply.verbatim(describe(c, c.client) + "\n"))
            .sub("list", -2, ADMIN | f, 0, 0, 0, this::list)
            .sub("kill", -3, ADMIN | f, 0, 0, 0, this::kill)
            .sub("setinfo", 4, f, 0, 0, 0, this::setInfo)
            .sub("no-evict", 3, ADMIN | f, 0, 0, 0, c -> c.client.noEvict(onOff(c)))
            .sub("no-touch", 3, f, 0, 0, 0, c -> c.client.noTouch(onOff(c)))
            .sub("reply", 3, f, 0, 0, 0, this::reply)
            .sub("unblock", -3, ADMIN | f, 0, 0, 0, this::unblock)
            .sub("help", 2, LOADING | STALE, 0, 0, 0, c -> c.reply.help(HELP));
    }

    /** CLIENT SETNAME's rule: no spaces, newlines or other special characters. */
    private void setName(Call c) {
        String name = c.argString(2);
        c.client.name(name); // "" removes the name
        c.reply.ok();
    }

    private void getName(Call c) {
        String name = c.client.name();
        if (name.isEmpty()) c.reply.nullBulk();
        else c.reply.bulk(name);
    }

    /** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2): what a client library says about itself. */
    private void setInfo(Call c) {
        String attr = c.argString(2);
        String value = c.argString(3);
        boolean libName = attr.equalsIgnoreCase("lib-name");
        if (!libName && !attr.equalsIgnoreCase("lib-ver")) throw Errors.of("ERR Unrecognized option '" + attr + "'");
        if (!Client.isPrintableWord(value)) {
            throw Errors.of("ERR " + attr + " cannot contain spaces, newlines or special characters.");
        }
        if (libName) c.client.libInfo(value, null);
        else c.client.libInfo(null, value);
        c.reply.ok();
    }

    /** ON or OFF (NO-EVICT, NO-TOUCH): replies +OK and returns the choice; anything else is a syntax error. */
    private static boolean onOff(Call c) {
        boolean on;
        if (c.argIs(2, "on")) on = true;
        else if (c.argIs(2, "off")) on = false;
        else throw Errors.syntax();
        c.reply.ok();
        return on;
    }

    /** CLIENT REPLY: OFF and SKIP have no reply of their own; the session drops the replies that follow. */
    /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before the id, as in Redis 7.0. */
    private void unblock(Call c) {
        if (c.argc() > 4) {
            throw Errors.of("ERR unknown subcommand or wrong number of arguments for '" + c.argString(1) + "'. Try CLIENT HELP.");
        }
        boolean error = false;
        if (c.argc() == 4) {
            if (c.argIs(3, "timeout")) error = false;
            else if (c.argIs(3, "error")) error = true;
            else throw Errors.of("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        }
        long id = c.longArg(2);
        Client target = c.server.clients().get(id);
        c.reply.integer(target != null && c.server.blocked().unblock(target, error) ? 1 : 0);
    }

    private void reply(Call c) {
        Client s = c.client;
        if (c.argIs(2, "on")) {
            s.replyMode(Client.REPLY_ON);
            c.reply.ok();
        } else if (c.argIs(2, "off")) {
            s.replyMode(Client.REPLY_OFF);
        } else if (c.argIs(2, "skip")) {
            if (s.replyMode() != Client.REPLY_OFF) s.replyMode(Client.REPLY_SKIP_NEXT);
        } else {
            throw Errors.syntax();
        }
    }

    // ---- CLIENT LIST / INFO --------------------------------------------------------------------------------

    private void list(Call c) {
        List<Client> chosen = new ArrayList<>();
        if (c.argc() == 4 && c.argIs(2, "type")) {
            String type = clientType(c.argString(3));
            for (Client s : c.server.clients().all()) if (!s.channel().closed() && typeOf(s).equals(type)) chosen.add(s);
        } else if (c.argc() > 3 && c.argIs(2, "id")) {
            for (int i = 3; i < c.argc(); i++) {
                long id = c.longArg(i, INVALID_ID);
                Client s = c.server.clients().get(id);
                if (s != null && !s.channel().closed()) chosen.add(s);
            }
        } else if (c.argc() != 2) {
            throw Errors.syntax();
        } else {
            for (Client s : c.server.clients().all()) if (!s.channel().closed()) chosen.add(s);
        }
        StringBuilder sb = new StringBuilder();
        for (Client s : chosen) sb.append(describe(c, s)).append('\n');
        c.reply.verbatim(sb.toString());
    }

    /** One line of CLIENT LIST / CLIENT INFO; argv-mem counts the arguments of the command running now. */
    static String describe(Call c, Client s) {
        long argvMem = 0;
        if (s == c.client) for (byte[] a : c.argv()) argvMem += a.length;
        return ClientInfo.line(s, argvMem);
    }

    /** Redis's getClientTypeByName: normal, slave/replica, pubsub, master; otherwise an error. */
    private static String clientType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "normal", "pubsub", "master" -> n;
            case "slave", "replica" -> "replica";
            default -> throw Errors.of("ERR Unknown client type '" + name + "'");
        };
    }

    private static String typeOf(Client s) {
        return s.channel().type().redisName();
    }

    // ---- CLIENT KILL ---------------------------------------------------------------------------------------

    /**
     * The old form (CLIENT KILL addr:port) replies +OK or an error and may kill the caller; the new form
     * (filters, all ANDed) replies the number killed and skips the caller unless SKIPME no. The caller,
     * when killed, is closed only after its reply is written.
     */
    private void kill(Call c) {
        String addr = null, laddr = null, type = null;
        long id = 0, maxAge = 0;
        boolean skipMe = true;
        if (c.argc() == 3) {
            addr = c.argString(2);
            skipMe = false; // with the old form, you can kill yourself
        } else {
            for (int i = 2; i < c.argc(); i += 2) {
                if (i + 1 >= c.argc()) throw Errors.syntax();
                if (c.argIs(i, "id")) {
                    id = c.longArg(i + 1, ID_NOT_POSITIVE);
                    if (id <= 0) throw Errors.of(ID_NOT_POSITIVE);
                } else if (c.argIs(i, "maxage")) {
                    maxAge = c.longArg(i + 1, MAXAGE_NOT_INTEGER);
                    if (maxAge <= 0) throw Errors.of(MAXAGE_NOT_POSITIVE);
                } else if (c.argIs(i, "type")) {
                    type = clientType(c.argString(i + 1));
                } else if (c.argIs(i, "addr")) {
                    addr = c.argString(i + 1);
                } else if (c.argIs(i, "laddr")) {
                    laddr = c.argString(i + 1);
                } else if (c.argIs(i, "user")) {
                    // Ferry's only user is "default", the one every connection is authenticated as
                    String user = c.argString(i + 1);
                    if (!user.equals("default")) throw Errors.of("ERR No such user '" + user + "'");
                } else if (c.argIs(i, "skipme")) {
                    if (c.argIs(i + 1, "yes")) skipMe = true;
                    else if (c.argIs(i + 1, "no")) skipMe = false;
                    else throw Errors.syntax();
                } else {
                    throw Errors.syntax();
                }
            }
        }
        long nowSeconds = System.currentTimeMillis() / 1000;
        int killed = 0;
        boolean killSelf = false;
        for (Client s : new ArrayList<>(c.server.clients().all())) {
            if (s.channel().closed()) continue;
            if (addr != null && !addr.equals(s.channel().addr())) continue;
            if (laddr != null && !laddr.equals(s.channel().laddr())) continue;
            if (type != null && !type.equals(typeOf(s))) continue;
            if (id != 0 && s.id() != id) continue;
            if (maxAge != 0 && nowSeconds - s.createdMillis() / 1000 <= maxAge) continue;
            if (s == c.client && skipMe) continue;
            if (s == c.client) killSelf = true;
            else s.channel().kill();
            killed++;
        }
        if (c.argc() == 3) {
            if (killed == 0) throw Errors.of(NO_SUCH_CLIENT);
            c.reply.ok();
        } else {
            c.reply.integer(killed);
        }
        if (killSelf) c.client.channel().closeAfterReply();
    }
}
