package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.AfterEach;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The keys family, reply by reply and error by error, byte for byte against a real redis-server. Runs in
 * database 1 (4 as the MOVE / COPY / SWAPDB target), emptied in both servers before each test.
 */
@QuarkusTest
class KeyOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();
    Oracle o;

    @BeforeEach
    void open() throws IOException {
        o = new Oracle(FerryPort.get(), redis.port());
        o.check("SELECT", "4");
        o.check("FLUSHDB");
        o.check("SELECT", "1");
        o.check("FLUSHDB");
    }

    @AfterEach
    void close() throws IOException {
        o.check("SELECT", "4");
        o.check("FLUSHDB");
        o.check("SELECT", "1");
        o.check("FLUSHDB");
        o.close();
    }

    @Test
    void arityAndUnknownSubcommands() throws IOException {
        String[][] calls = {
            {"DEL"}, {"UNLINK"}, {"EXISTS"}, {"TYPE"}, {"TYPE", "a", "b"}, {"KEYS"}, {"KEYS", "a", "b"}, {"SCAN"},
            {"RANDOMKEY", "x"}, {"RENAME", "a"}, {"RENAME", "a", "b", "c"}, {"RENAMENX", "a"}, {"MOVE", "a"},
            {"COPY", "a"}, {"TOUCH"}, {"EXPIRE", "a"}, {"PEXPIRE", "a"}, {"EXPIREAT", "a"}, {"PEXPIREAT", "a"},
            {"TTL"}, {"PTTL", "a", "b"}, {"EXPIRETIME"}, {"PEXPIRETIME"}, {"PERSIST"}, {"OBJECT"},
            {"OBJECT", "ENCODING"}, {"OBJECT", "encoding", "a", "b"}, {"OBJECT", "HELP", "x"}, {"OBJECT", "FREQ"},
            {"OBJECT", "IDLETIME"}, {"OBJECT", "REFCOUNT"}, {"OBJECT", "foo", "k"}, {"OBJECT", "foo"},
            {"DBSIZE", "x"}, {"SWAPDB", "1"}, {"SWAPDB", "1", "2", "3"},
        };
        for (String[] call : calls) o.check(call);
    }

    @Test
    void delExistsTypeTouch() throws IOException {
        o.check("SET", "k:a", "1");
        o.check("SET", "k:b", "hello");
        o.check("EXISTS", "k:a", "k:a", "k:b", "k:none");
        o.check("TYPE", "k:b");
        o.check("TYPE", "k:none");
        o.check("TOUCH", "k:a", "k:b", "k:none", "k:a");
        o.check("DEL", "k:a", "k:a", "k:none");
        o.check("EXISTS", "k:a");
        o.check("UNLINK", "k:b", "k:none");
        o.check("DEL", "k:none");
        o.check("DBSIZE");
        o.check("RANDOMKEY");
        o.check("SET", "k:only", "v");
        o.check("RANDOMKEY");
        o.check("KEYS", "*");
        o.check("KEYS", "k:o*");
        o.check("KEYS", "x*");
        o.check("KEYS", "");
        o.check("DBSIZE");
    }

    @Test
    void renameAndRenamenx() throws IOException {
        o.check("RENAME", "r:none", "r:x");
        o.check("RENAMENX", "r:none", "r:x");
        o.check("RENAME", "r:none", "r:none");
        o.check("SET", "r:a", "1");
        o.check("RENAME", "r:a", "r:a");
        o.check("RENAMENX", "r:a", "r:a");
        o.check("PEXPIREAT", "r:a", "4102444800123");
        o.check("RENAME", "r:a", "r:b");
        o.check("EXISTS", "r:a", "r:b");
        o.check("PEXPIRETIME", "r:b");
        o.check("SET", "r:c", "other");
        o.check("RENAMENX", "r:b", "r:c");
        o.check("GET", "r:b");
        o.check("RENAME", "r:b", "r:c");
        o.check("GET", "r:c");
        o.check("PEXPIRETIME", "r:c");
        o.check("RENAMENX", "r:c", "r:d");
        o.check("TTL", "r:d");
        o.check("EXISTS", "r:c");
    }

    @Test
    void move() throws IOException {
        o.check("SET", "m:a", "v");
        for (String db : new String[] {"x", "", "1.5", "99999999999", "-99999999999", "16", "-1", "1"}) {
            o.check("MOVE", "m:a", db);
        }
        o.check("MOVE", "m:none", "4");
        o.check("PEXPIREAT", "m:a", "4102444800777");
        o.check("MOVE", "m:a", "4");
        o.check("EXISTS", "m:a");
        o.check("SET", "m:a", "again");
        o.check("MOVE", "m:a", "4");
        o.check("SELECT", "4");
        o.check("GET", "m:a");
        o.check("PEXPIRETIME", "m:a");
        o.check("MOVE", "m:a", "1");
        o.check("SELECT", "1");
        o.check("GET", "m:a");
    }

    @Test
    void copy() throws IOException {
        o.check("SET", "c:a", "12345");
        o.check("COPY", "c:a", "c:a");
        o.check("COPY", "c:a", "c:b", "DB");
        o.check("COPY", "c:a", "c:b", "DB", "x");
        o.check("COPY", "c:a", "c:b", "DB", "99999999999");
        o.check("COPY", "c:a", "c:b", "DB", "16");
        o.check("COPY", "c:a", "c:b", "DB", "-1");
        o.check("COPY", "c:a", "c:b", "foo");
        o.check("COPY", "c:a", "c:b", "REPLACE", "foo");
        o.check("COPY", "c:a", "c:a", "DB", "1");
        o.check("COPY", "c:none", "c:b");
        o.check("COPY", "c:a", "c:b");
        o.check("GET", "c:b");
        o.check("SET", "c:b", "other");
        o.check("COPY", "c:a", "c:b");
        o.check("GET", "c:b");
        o.check("PEXPIREAT", "c:a", "4102444800999");
        o.check("COPY", "c:a", "c:b", "replace");
        o.check("GET", "c:b");
        o.check("PEXPIRETIME", "c:b");
        o.check("COPY", "c:a", "c:a", "DB", "4", "REPLACE");
        o.check("COPY", "c:a", "c:a", "DB", "4");
        o.check("SELECT", "4");
        o.check("GET", "c:a");
        o.check("PEXPIRETIME", "c:a");
        o.check("SELECT", "1");
        o.check("OBJECT", "ENCODING", "c:b");
    }

    @Test
    void expireFamilyErrorsAndOptions() throws IOException {
        o.check("SET", "e:a", "v");
        for (String cmd : new String[] {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}) {
            o.check(cmd, "e:a", "abc");
            o.check(cmd, "e:a", "1.5");
            o.check(cmd, "e:a", "");
            o.check(cmd, "e:a", "100", "foo");
            o.check(cmd, "e:a", "abc", "foo");
            o.check(cmd, "e:a", "100", "nx", "xx");
            o.check(cmd, "e:a", "100", "NX", "GT");
            o.check(cmd, "e:a", "100", "lt", "NX");
            o.check(cmd, "e:a", "100", "GT", "LT");
            o.check(cmd, "e:a", "100", "XX", "bar");
            o.check(cmd, "e:a", "9223372036854775807");
            o.check(cmd, "e:a", "-9223372036854775808");
            o.check(cmd, "e:none", "9223372036854775807");
            o.check(cmd, "e:none", "100");
        }
        o.check("EXPIREAT", "e:a", "9223372036854776");
        o.check("PEXPIRE", "e:a", "9223372036854770000");
        o.check(new byte[][] {"EXPIRE".getBytes(), "e:a".getBytes(), "1".getBytes(), "x\0y".getBytes()});
        o.check("TTL", "e:a");

        // NX / XX / GT / LT against absolute times, so both servers hold the same values
        o.check("PEXPIREAT", "e:a", "4102444800000", "XX");
        o.check("PEXPIREAT", "e:a", "4102444800000", "GT");
        o.check("PEXPIREAT", "e:a", "4102444800000", "LT");
        o.check("PEXPIRETIME", "e:a");
        o.check("PEXPIREAT", "e:a", "4102444800000", "NX");
        o.check("PEXPIREAT", "e:a", "4102444800000", "nx");
        o.check("PEXPIREAT", "e:a", "4102444800000", "XX");
        o.check("PEXPIREAT", "e:a", "4102444800000", "GT");
        o.check("PEXPIREAT", "e:a", "4102444801000", "gt");
        o.check("PEXPIREAT", "e:a", "4102444801000", "LT");
        o.check("EXPIREAT", "e:a", "4102444800", "LT", "XX");
        o.check("EXPIRETIME", "e:a");
        o.check("PEXPIRETIME", "e:a");
        o.check("EXPIREAT", "e:a", "4102444900", "GT", "XX");
        o.check("EXPIRETIME", "e:a");
        o.check("EXPIRE", "e:a", "100", "NX");
        o.check("EXPIRE", "e:a", "100", "LT");
        o.check("TTL", "e:a");
        o.check("EXPIRE", "e:a", "200", "LT");
        o.check("EXPIRE", "e:a", "200", "GT");
        o.check("TTL", "e:a");
        o.check("PERSIST", "e:a");
        o.check("PERSIST", "e:a");
        o.check("PERSIST", "e:none");
        o.check("TTL", "e:a");
        o.check("EXPIRE", "e:a", "100", "GT");
        o.check("EXPIRE", "e:a", "100", "LT");
        o.check("PERSIST", "e:a");
        o.check("EXPIRE", "e:a", "100", "XX");
        o.check("TTL", "e:a");
    }

    @Test
    void expireInThePastDeletes() throws IOException {
        String[][] deleting = {
            {"EXPIRE", "0"}, {"EXPIRE", "-10"}, {"PEXPIRE", "-1"}, {"EXPIREAT", "1"}, {"PEXPIREAT", "0"},
            {"PEXPIREAT", "-9223372036854775808"}, {"EXPIREAT", "-9223372036854775"},
        };
        for (String[] d : deleting) {
            o.check("SET", "p:a", "v");
            o.check(d[0], "p:a", d[1]);
            o.check("EXISTS", "p:a");
            o.check("TTL", "p:a");
        }
        // the options still decide first: NX on a key with a TTL refuses even a past time
        o.check("SET", "p:b", "v");
        o.check("EXPIREAT", "p:b", "4102444800");
        o.check("EXPIRE", "p:b", "-1", "NX");
        o.check("EXPIRE", "p:b", "-1", "GT");
        o.check("EXISTS", "p:b");
        o.check("EXPIRE", "p:b", "-1", "LT");
        o.check("EXISTS", "p:b");
        o.check("SET", "p:c", "v");
        o.check("EXPIRE", "p:c", "-1", "XX");
        o.check("EXPIRE", "p:c", "-1", "LT");
        o.check("EXISTS", "p:c");
    }

    @Test
    void ttlFamily() throws IOException {
        for (String cmd : new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
            o.check(cmd, "t:none");
            o.check("SET", "t:a", "v");
            o.check(cmd, "t:a");
        }
        // seconds round to the nearest: (ms + 500) / 1000
        String[] times = {"4102444800499", "4102444800500", "4102444800999", "4102444801000", "9223372036854775807"};
        for (String ms : times) {
            o.check("PEXPIREAT", "t:a", ms);
            o.check("EXPIRETIME", "t:a");
            o.check("PEXPIRETIME", "t:a");
        }
        o.check("EXPIRE", "t:a", "1000");
        o.check("TTL", "t:a");
        o.check("EXPIREAT", "t:a", "4102444800");
        o.check("EXPIRETIME", "t:a");
        o.check("PEXPIRETIME", "t:a");
    }

    @Test
    void objectSubcommands() throws IOException {
        String[] values = {
            "0", "123", "9999", "10000", "-1", "01", " 1", "-0", "+1", "1.5", "",
            "-9223372036854775808", "9223372036854775807", "9223372036854775808", "12345678901234567890",
            "a".repeat(44), "a".repeat(45), "x".repeat(1000),
        };
        for (String v : values) {
            o.check("SET", "o:a", v);
            o.check("OBJECT", "ENCODING", "o:a");
            o.check("OBJECT", "REFCOUNT", "o:a");
        }
        o.check("OBJECT", "IDLETIME", "o:a");
        o.check("OBJECT", "FREQ", "o:a");
        o.check("object", "freq", "o:none");
        o.check("OBJECT", "ENCODING", "o:none");
        o.check("OBJECT", "REFCOUNT", "o:none");
        o.check("OBJECT", "IDLETIME", "o:none");
        o.check("OBJECT", "HELP");
        o.check("object", "help");
    }

    @Test
    void resp3Nulls() throws IOException {
        o.ferry().call("HELLO", "3");
        o.redis().call("HELLO", "3");
        try {
            o.check("OBJECT", "ENCODING", "n:none");
            o.check("OBJECT", "IDLETIME", "n:none");
            o.check("RANDOMKEY");
            o.check("SET", "n:a", "5");
            o.check("SCAN", "0");
            o.check("KEYS", "*");
            o.check("OBJECT", "HELP");
            o.check("TYPE", "n:a");
        } finally {
            o.ferry().call("HELLO", "2");
            o.redis().call("HELLO", "2");
        }
    }

    @Test
    void scanArguments() throws IOException {
        // on an empty database every valid cursor ends the walk at once, so the replies are comparable
        String[] cursors = {"0", "-1", "+5", "", "18446744073709551615", "-18446744073709551615", "00012",
            "18446744073709551616", "99999999999999999999999", " 5", "5 ", "\t5", "0x10", "+", "-", "abc", "1e3"};
        for (String cursor : cursors) o.check("SCAN", cursor);
        o.check(new byte[][] {"SCAN".getBytes(), "0\0junk".getBytes()});
        o.check("SCAN", "0", "COUNT", "0");
        o.check("SCAN", "0", "COUNT", "-1");
        o.check("SCAN", "0", "COUNT", "x");
        o.check("SCAN", "0", "COUNT");
        o.check("SCAN", "0", "MATCH");
        o.check("SCAN", "0", "TYPE");
        o.check("SCAN", "0", "foo", "bar");
        o.check("SCAN", "x", "foo", "bar");
        o.check("SCAN", "0", "COUNT", "5", "MATCH", "*", "TYPE", "string");
        o.check("SET", "s:one", "1");
        o.check("SCAN", "0", "COUNT", "100");
        o.check("SCAN", "0", "COUNT", "100", "TYPE", "STRING");
        o.check("SCAN", "0", "COUNT", "100", "TYPE", "list");
        o.check("SCAN", "0", "COUNT", "100", "TYPE", "nosuchtype");
        o.check("SCAN", "0", "COUNT", "100", "MATCH", "s:o?e");
        o.check("SCAN", "0", "COUNT", "100", "MATCH", "x*");
        o.check("SCAN", "0", "COUNT", "9223372036854775807");
    }

    @Test
    void flushAndDbsize() throws IOException {
        o.check("FLUSHDB", "foo");
        o.check("FLUSHDB", "sync", "x");
        o.check("FLUSHALL", "foo");
        o.check("FLUSHALL", "ASYNC", "x");
        o.check("SET", "f:a", "1");
        o.check("SET", "f:b", "2");
        o.check("DBSIZE");
        o.check("FLUSHDB", "ASYNC");
        o.check("DBSIZE");
        o.check("SET", "f:a", "1");
        o.check("FLUSHDB", "sync");
        o.check("DBSIZE");
        o.check("FLUSHDB");
        o.check("DBSIZE");
    }

    /** FLUSHALL empties every database (the other test classes run before or after, never during). */
    @Test
    void flushall() throws IOException {
        o.check("SET", "fa:a", "1");
        o.check("SELECT", "4");
        o.check("SET", "fa:b", "1");
        o.check("FLUSHALL");
        o.check("DBSIZE");
        o.check("SELECT", "1");
        o.check("DBSIZE");
        o.check("SET", "fa:a", "1");
        o.check("FLUSHALL", "ASYNC");
        o.check("DBSIZE");
        o.check("FLUSHALL", "SYNC");
    }

    @Test
    void swapdb() throws IOException {
        for (String[] args : new String[][] {{"x", "1"}, {"1", "x"}, {"x", "y"}, {"99999999999", "1"},
            {"1", "99999999999"}, {"1", "16"}, {"-1", "1"}, {"16", "16"}, {"1", "1"}}) {
            o.check("SWAPDB", args[0], args[1]);
        }
        o.check("SET", "w:a", "in1");
        o.check("SELECT", "4");
        o.check("SET", "w:b", "in4");
        o.check("SET", "w:c", "in4");
        o.check("SWAPDB", "1", "4");
        o.check("DBSIZE");
        o.check("GET", "w:a");
        o.check("SELECT", "1");
        o.check("DBSIZE");
        o.check("GET", "w:b");
        o.check("SWAPDB", "4", "1");
        o.check("GET", "w:a");
        o.check("DBSIZE");
    }

    /** Errors name the command in lowercase, however the client spelled it. */
    @Test
    void errorsNameTheCommand() throws IOException {
        o.check("SET", "n:a", "v");
        String reply = o.check("pExpireAt", "n:a", "x", "bogus");
        assertEquals("-ERR Unsupported option bogus\r\n", reply);
        o.check("eXpIrE", "n:a", "9223372036854775807");
    }
}
