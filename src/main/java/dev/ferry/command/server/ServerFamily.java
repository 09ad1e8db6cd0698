package dev.ferry.command.server;

import dev.ferry.engine.*;

import dev.ferry.protocol.Ascii;
import dev.ferry.protocol.Reply;
import dev.ferry.engine.Client;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.config.InvalidValue;
import dev.ferry.engine.config.Param;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.snapshot.Snapshot;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.Digest;
import dev.ferry.store.StringValue;
import dev.ferry.store.Value;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.ferry.engine.CommandFlags.*;

/** INFO, CONFIG, TIME, LASTSAVE, DEBUG, SHUTDOWN: the server family of Redis 7.0.15. */
public final class ServerFamily implements CommandFamily {
    private static final Logger LOG = Logger.getLogger(ServerFamily.class);

    static final String NO_CONFIG_FILE = "ERR The server is running without a config file";
    static final String NO_SHUTDOWN = "ERR No shutdown in progress.";
    static final String SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";
    static final String CONFIG_SET_UNKNOWN = "ERR Unknown option or number of arguments for CONFIG SET - '%s'";
    static final String CONFIG_SET_FAILED = "ERR CONFIG SET failed (possibly related to argument '%s') - %s";

    private static final String[] CONFIG_HELP = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    };

    /** The DEBUG subcommands Ferry has, with Redis's own help lines for them. */
    private static final String[] DEBUG_HELP = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will make the load fail with an error.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Prints this help.",
    };

    @Override
    public void register(CommandTable t) {
        t.add("info", -1, LOADING | STALE, 0, 0, 0, "server", this::info);
        t.add("config", -2, 0, 0, 0, 0, "server", c -> { throw Errors.of(Errors.wrongArgs("config")); })
            .sub("get", -3, ADMIN | NOSCRIPT | LOADING | STALE, 0, 0, 0, this::configGet)
            .sub("set", -4, ADMIN | NOSCRIPT | LOADING | STALE, 0, 0, 0, this::configSet)
            .sub("resetstat", 2, ADMIN | NOSCRIPT | LOADING | STALE, 0, 0, 0, this::configResetStat)
            .sub("rewrite", 2, ADMIN | NOSCRIPT | LOADING | STALE, 0, 0, 0, c -> { throw Errors.of(NO_CONFIG_FILE); })
            .sub("help", 2, LOADING | STALE, 0, 0, 0, c -> c.reply.help(CONFIG_HELP));
        t.add("time", 1, LOADING | STALE | FAST, 0, 0, 0, "server", this::time);
        t.add("debug", -2, ADMIN | NOSCRIPT | LOADING | STALE | PROTECTED, 0, 0, 0, "server", this::debug);
        t.add("shutdown", -1, ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY, 0, 0, 0, "server",
            this::shutdown);
    }

    // ---- INFO ---------------------------------------------------------------------------------------------

    private void info(Call c) {
        List<String> sections = new ArrayList<>();
        for (int i = 1; i < c.argc(); i++) sections.add(c.argString(i));
        c.reply.verbatim(c.server.info().render(sections));
    }

    // ---- CONFIG -------------------------------------------------------------------------------------------

    /**
     * CONFIG GET pattern [pattern ...]: a name without glob characters is looked up directly (and answered
     * under the spelling asked for); a pattern matches every name, case-insensitively. A setting matched
     * twice is listed once.
     */
    private void configGet(Call c) {
        ServerSettings s = c.server.settings();
        Map<String, String[]> found = new LinkedHashMap<>();
        for (int i = 2; i < c.argc(); i++) {
            String pattern = c.argString(i);
            if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 && pattern.indexOf('[') < 0) {
                Param p = s.param(pattern);
                if (p != null) found.putIfAbsent(pattern.toLowerCase(Locale.ROOT), new String[] {pattern, p.get()});
                continue;
            }
            for (Param p : s.matching(pattern)) found.putIfAbsent(p.name(), new String[] {p.name(), p.get()});
        }
        c.reply.map(found.size());
        for (String[] kv : found.values()) {
            c.reply.bulk(kv[0]);
            c.reply.bulk(kv[1]);
        }
    }

    /**
     * CONFIG SET name value [name value ...], all or nothing, like Redis 7.0's configSetCommand: first
     * every name is checked (unknown, immutable, protected, given twice), then every value; only when all
     * pass is anything changed.
     */
    private void configSet(Call c) {
        if ((c.argc() & 1) != 0) throw Errors.syntax();
        ServerSettings s = c.server.settings();
        int n = (c.argc() - 2) / 2;
        Param[] params = new Param[n];
        String unknown = null, errArg = null, errStr = null;
        for (int i = 0; i < n && unknown == null && errStr == null; i++) {
            String name = c.argString(2 + 2 * i);
            Param p = s.param(name);
            if (p == null) {
                unknown = name;
            } else if (p.immutable()) {
                errArg = name;
                errStr = "can't set immutable config";
            } else if (p.isProtected() && !"yes".equals(s.enableProtectedConfigs)) {
                errArg = name;
                errStr = "can't set protected config";
            } else {
                for (int j = 0; j < i; j++) {
                    if (params[j] == p) {
                        errArg = name;
                        errStr = "duplicate parameter";
                        break;
                    }
                }
                params[i] = p;
            }
        }
        if (unknown != null) throw Errors.of(String.format(CONFIG_SET_UNKNOWN, unknown));
        if (errStr != null) throw Errors.of(String.format(CONFIG_SET_FAILED, errArg, errStr));
        Runnable[] apply = new Runnable[n];
        for (int i = 0; i < n; i++) {
            try {
                apply[i] = params[i].prepare(c.argString(3 + 2 * i));
            } catch (InvalidValue e) {
                throw Errors.of(String.format(CONFIG_SET_FAILED, params[i].name(), e.getMessage()));
            }
        }
        for (Runnable r : apply) r.run();
        c.reply.ok();
    }

    /** CONFIG RESETSTAT: server counters, keyspace counters, per-command and per-error counters. */
    private void configResetStat(Call c) {
        c.server.stats().reset();
        c.keyspace().stats.reset();
        for (CommandSpec cmd : c.server.commands().allWithSubcommands()) {
            cmd.calls = cmd.micros = cmd.failedCalls = cmd.rejectedCalls = 0;
        }
        c.reply.ok();
    }

    // ---- TIME ---------------------------------------------------------------------------------------------

    private void time(Call c) {
        Instant now = Instant.now();
        c.reply.array(2);
        c.reply.bulk(now.getEpochSecond());
        c.reply.bulk(now.getNano() / 1000);
    }

    // ---- DEBUG --------------------------------------------------------------------------------------------

    private void debug(Call c) {
        String sub = c.argString(1).toLowerCase(Locale.ROOT);
        int argc = c.argc();
        if (sub.equals("help") && argc == 2) {
            c.reply.help(DEBUG_HELP);
        } else if (sub.equals("sleep") && argc == 3) {
            debugSleep(c);
        } else if (sub.equals("set-active-expire") && argc == 3) {
            c.server.settings().activeExpire = atoi(c.argString(2)) != 0;
            c.reply.ok();
        } else if (sub.equals("digest") && argc == 2) {
            c.reply.simple(Digest.ofDataset(c.keyspace()).hex());
        } else if (sub.equals("digest-value")) {
            // looks at the table directly, like Redis: logically expired keys still have their digest
            c.reply.array(argc - 2);
            for (int i = 2; i < argc; i++) c.reply.simple(Digest.ofValue(c.db().table().find(c.arg(i))).hex());
        } else if (sub.equals("object") && argc == 3) {
            debugObject(c);
        } else if (sub.equals("populate") && argc >= 3 && argc <= 5) {
            debugPopulate(c);
        } else if (sub.equals("reload")) {
            debugReload(c);
        } else if (sub.equals("error") && argc == 3) {
            // Redis writes "-" + the text as raw protocol: no "ERR " added, and not counted as an error reply
            c.reply.error(c.argString(2));
        } else if (sub.equals("log") && argc == 3) {
            LOG.warnf("DEBUG LOG: %s", c.argString(2));
            c.reply.ok();
        } else {
            throw Errors.of("ERR unknown subcommand or wrong number of arguments for '" + c.argString(1)
                + "'. Try DEBUG HELP.");
        }
    }

    /**
     * DEBUG POPULATE count [prefix] [size], as Redis 7.0's debug.c: keys prefix:0 .. prefix:count-1 (named in at
     * most 127 bytes, as Redis's buffer cuts them), each "value:N" cut or zero-padded to size when size is given;
     * existing keys are left alone. Not propagated and not counted as changes, like Redis; the loop runs it in
     * one go, as Redis's does.
     */
    private void debugPopulate(Call c) {
        long keys = c.longArg(2, Errors.MUST_BE_POSITIVE);
        if (keys < 0) throw Errors.of(Errors.MUST_BE_POSITIVE);
        // Redis answers this when its table cannot be sized for count keys
        if (keys > Integer.MAX_VALUE) throw Errors.of("ERR OOM in dictTryExpand");
        long size = 0;
        if (c.argc() == 5) {
            size = c.longArg(4, Errors.MUST_BE_POSITIVE);
            if (size < 0) throw Errors.of(Errors.MUST_BE_POSITIVE);
            if (size > c.server.settings().protoMaxBulkLen) throw Errors.of(Errors.STRING_TOO_LONG);
        }
        byte[] prefix = c.argc() >= 4 ? c.arg(3) : Ascii.bytes("key");
        Database db = c.db();
        db.table().reserve(keys);
        for (long j = 0; j < keys; j++) {
            byte[] number = Ascii.toBytes(j);
            byte[] key = new byte[Math.min(127, prefix.length + 1 + number.length)];
            int at = Math.min(prefix.length, key.length);
            System.arraycopy(prefix, 0, key, 0, at);
            if (at < key.length) key[at++] = ':';
            System.arraycopy(number, 0, key, at, key.length - at);
            if (db.lookupForWrite(key) != null) continue;
            byte[] text = new byte[6 + number.length];
            System.arraycopy(Ascii.bytes("value:"), 0, text, 0, 6);
            System.arraycopy(number, 0, text, 6, number.length);
            byte[] value = size == 0 ? text : Arrays.copyOf(text, (int) size);
            db.add(key, StringValue.fromArgument(value, false));
        }
        c.reply.ok();
    }

    /**
     * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the dataset, load the file back, all in this command,
     * as Redis does (a debugging aid: the loop stands still meanwhile).
     */
    private void debugReload(Call c) {
        boolean merge = false, flush = true, save = true;
        for (int i = 2; i < c.argc(); i++) {
            if (c.argIs(i, "merge")) merge = true;
            else if (c.argIs(i, "noflush")) flush = false;
            else if (c.argIs(i, "nosave")) save = false;
            else throw Errors.of("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
        }
        String error = c.server.persistence().reload(save, flush, merge);
        if (error != null) throw Errors.of(error);
        c.reply.ok();
    }

    /**
     * DEBUG SLEEP seconds. Redis stops the whole server; Ferry never blocks its event loop (ARCHITECTURE.md
     * rule 2), so only the calling client waits: its +OK is written in place, and the client is paused (its
     * replies held, its socket not read) until a timer resumes it. Other clients are served meanwhile.
     */
    private void debugSleep(Call c) {
        double seconds = strtod(c.argString(2));
        long micros = (long) (seconds * 1_000_000);
        if (micros <= 0) {
            c.reply.ok();
            return;
        }
        // +OK takes its place among the replies now (in order, also inside EXEC); it and everything after
        // it stay held until the timer resumes the client
        c.reply.ok();
        ClientChannel channel = c.client.channel();
        channel.pause();
        long ms = Math.max(1, (micros + 999) / 1000);
        c.server.vertx().setTimer(ms, id -> channel.resume());
    }

    /** DEBUG OBJECT key: Redis's one-line summary; looks at the table directly, like Redis (no expiry, no LRU touch). */
    private void debugObject(Call c) {
        Dict.Entry e = c.db().table().find(c.arg(2));
        if (e == null) throw Errors.of(Errors.NO_SUCH_KEY);
        Value v = e.value();
        long idle = c.keyspace().idleSeconds(e);
        long lru = ((c.keyspace().now() / 1000) - idle) & 0xFFFFFF;
        c.reply.simple("Value at:0x" + Long.toHexString(System.identityHashCode(v) & 0xFFFFFFFFL)
            + " refcount:" + v.refcount()
            + " encoding:" + v.encodingName()
            + " serializedlength:" + serializedLength(v)
            + " lru:" + lru
            + " lru_seconds_idle:" + idle);
    }

    /**
     * The RDB length of a string value (rdbSavedObjectLen): integers fitting 8/16/32 bits as 2/3/5 bytes,
     * else a length prefix plus the bytes. Redis would LZF-compress strings over 20 bytes when that saves
     * room; Ferry does not estimate compression here.
     */
    static long serializedLength(Value v) {
        if (!(v instanceof StringValue s)) return 0;
        byte[] b = s.array();
        int len = s.length();
        if (len <= 11 && Ascii.isLong(b, 0, len)) {
            long n = Ascii.parseLongOr(b, 0, len, 0);
            if (n >= Byte.MIN_VALUE && n <= Byte.MAX_VALUE) return 2;
            if (n >= Short.MIN_VALUE && n <= Short.MAX_VALUE) return 3;
            if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) return 5;
        }
        int prefix = len < 64 ? 1 : len < 16384 ? 2 : 5;
        return prefix + len;
    }

    /** C's atoi: optional blanks and sign, then digits; 0 when there are none. */
    static long atoi(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) neg = s.charAt(i++) == '-';
        long n = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && n < Integer.MAX_VALUE) n = n * 10 + (s.charAt(i++) - '0');
        return neg ? -n : n;
    }

    private static final java.util.regex.Pattern NUMBER_PREFIX =
        java.util.regex.Pattern.compile("^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** C's strtod on the longest numeric prefix; 0 when there is none. */
    static double strtod(String s) {
        java.util.regex.Matcher m = NUMBER_PREFIX.matcher(s);
        if (!m.find()) return 0;
        try {
            return Double.parseDouble(m.group().trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ---- SHUTDOWN -----------------------------------------------------------------------------------------

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: the final save first (SAVE, or save points without
     * NOSAVE), in the foreground as Redis does; then, like Redis on success, no reply: the connection closes
     * and the process stops once it is flushed. A failed save answers an error and the server goes on,
     * unless FORCE. Ferry has no replicas to wait for yet, so NOW changes nothing.
     */
    private void shutdown(Call c) {
        boolean nosave = false, save = false, abort = false, other = false, force = false;
        for (int i = 1; i < c.argc(); i++) {
            if (c.argIs(i, "nosave")) nosave = true;
            else if (c.argIs(i, "save")) save = true;
            else if (c.argIs(i, "now")) other = true;
            else if (c.argIs(i, "force")) other = force = true;
            else if (c.argIs(i, "abort")) abort = true;
            else throw Errors.syntax();
        }
        if ((abort && (nosave || save || other)) || (nosave && save)) throw Errors.syntax();
        if (abort) throw Errors.of(NO_SHUTDOWN);
        LOG.warnf("User requested shutdown (client %d)", c.client.id());
        Persistence p = c.server.persistence();
        // prepareForShutdown: a running background save is killed; then the final save when asked for or
        // when save points are set (never while loading: the file on disk is the only whole copy)
        p.cancelBackgroundSave();
        if (!p.loading() && (save || (!nosave && c.server.settings().savePoints.length > 0))) {
            LOG.warn("Saving the final RDB snapshot before exiting.");
            Snapshot.Result r = p.saveNow();
            if (!r.ok() && !force) {
                LOG.warn("Error trying to save the DB, can't exit.");
                throw Errors.of(SHUTDOWN_FAILED);
            }
        }
        // Redis exits without answering: the caller's connection closes with nothing more written
        c.client.channel().kill();
        ServerContext server = c.server;
        // runs in its own turn of the loop, after the connection is closed
        server.executor().runOnContext(v -> server.shutdown());
    }
}
