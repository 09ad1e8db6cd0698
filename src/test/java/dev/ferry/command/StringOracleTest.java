package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.engine.ServerContext;
import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every string command's replies and errors, byte for byte against a real redis-server 7.0. Keys are
 * prefixed "so:" (Ferry's keyspace is shared by all test classes; the redis-server is this class's own).
 */
@QuarkusTest
class StringOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    /** Runs fn on Ferry's executing event loop (the keyspace is owned by that thread) and waits for it. */
    static <T> T onFerry(Function<ServerContext, T> fn) throws Exception {
        return dev.ferry.support.OnFerry.call(fn);
    }

    /** The TTL state of a key in Ferry's db 0: -2 missing, -1 no TTL, else the absolute expiry in ms. */
    static long ferryExpireAt(String key) throws Exception {
        return onFerry(ctx -> {
            var e = ctx.keyspace().db(0).peek(key.getBytes());
            return e == null ? -2L : e.expireAt();
        });
    }

    static Oracle oracle() throws Exception {
        return new Oracle(FerryPort.get(), redis.port());
    }

    @Test
    void getAndSet() throws Exception {
        try (Oracle o = oracle()) {
            o.check("GET", "so:gs");
            o.check("SET", "so:gs", "v1");
            o.check("GET", "so:gs");
            o.check("set", "so:gs", "");
            o.check("GET", "so:gs");
            o.check("SET", "so:gs", "v2", "NX");
            o.check("SET", "so:gs2", "v2", "XX");
            o.check("GET", "so:gs2");
            o.check("SET", "so:gs2", "v2", "nx");
            o.check("SET", "so:gs2", "v3", "xx");
            o.check("GET", "so:gs2");
            o.check("SET", "so:gs", "v", "NX", "XX");
            o.check("SET", "so:gs", "v", "XX", "NX");
            o.check("SET", "so:gs", "v", "NX", "NX");
            o.check("SET", "so:gs", "v", "XX", "XX");
            o.check("SET", "so:gs", "v", "FOO");
            o.check("SET", "so:gs", "v", "EX");
            o.check("SET", "so:gs", "v", "PX");
            o.check("SET", "so:gs", "v", "EXAT");
            o.check("SET", "so:gs", "v", "PXAT");
            o.check("SET", "so:gs", "v", "EX", "10", "PX", "100");
            o.check("SET", "so:gs", "v", "PX", "100", "EX", "10");
            o.check("SET", "so:gs", "v", "EX", "10", "EXAT", "100");
            o.check("SET", "so:gs", "v", "PXAT", "10", "PX", "100");
            o.check("SET", "so:gs", "v", "EX", "10", "KEEPTTL");
            o.check("SET", "so:gs", "v", "KEEPTTL", "EX", "10");
            o.check("SET", "so:gs", "v", "KEEPTTL", "PXAT", "10");
            o.check("SET", "so:gs", "v", "EX", "10", "EX", "20");
            o.check("SET", "so:gs", "v", "KEEPTTL", "KEEPTTL");
            o.check("SET", "so:gs", "v", "PERSIST");
            o.check("SET", "so:gs", "v", "EX", "0");
            o.check("SET", "so:gs", "v", "EX", "-1");
            o.check("SET", "so:gs", "v", "PX", "0");
            o.check("SET", "so:gs", "v", "EXAT", "0");
            o.check("SET", "so:gs", "v", "PXAT", "-5");
            o.check("SET", "so:gs", "v", "EX", "abc");
            o.check("SET", "so:gs", "v", "EX", "1.5");
            o.check("SET", "so:gs", "v", "EX", " 1");
            o.check("SET", "so:gs", "v", "EX", "99999999999999999999");
            // seconds * 1000 overflows; ms + now overflows; absolute values just fit
            o.check("SET", "so:gs", "v", "EX", "9223372036854776");
            o.check("SET", "so:gs", "v", "EX", "9223372036854775");
            o.check("SET", "so:gs", "v", "PX", "9223372036854775807");
            o.check("SET", "so:gs", "v", "EXAT", "9223372036854776");
            o.check("SET", "so:gs", "v", "EXAT", "9223372036854775");
            o.check("SET", "so:gs", "v", "PXAT", "9223372036854775807");
            // errors are found before NX/XX apply and before GET reads
            o.check("SET", "so:nope", "v", "XX", "EX", "0");
            o.check("SET", "so:gs", "v", "NX", "EX", "abc");
            o.check("GET", "so:gs");
            o.check("SET");
            o.check("SET", "so:gs");
            o.check("GET");
            o.check("GET", "a", "b");
        }
    }

    @Test
    void setGetOption() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SET", "so:sg", "a", "GET");
            o.check("SET", "so:sg", "b", "GET");
            o.check("SET", "so:sg", "c", "get", "GET");
            o.check("SET", "so:sg", "d", "NX", "GET");
            o.check("GET", "so:sg");
            o.check("SET", "so:sg", "e", "XX", "GET");
            o.check("SET", "so:sg2", "e", "XX", "GET");
            o.check("GET", "so:sg2");
            o.check("SET", "so:sg2", "f", "NX", "GET");
            o.check("SET", "so:sg", "g", "GET", "EX", "100");
            o.check("SET", "so:sg", "h", "GET", "KEEPTTL");
            o.check("SET", "so:sg", "i", "GET", "EX", "0");
            o.check("GET", "so:sg");
        }
    }

    @Test
    void expiryOfSetVariants() throws Exception {
        try (Oracle o = oracle()) {
            long now = System.currentTimeMillis();
            o.check("SET", "so:ttl", "v", "EX", "100");
            long at = ferryExpireAt("so:ttl");
            assertTrue(at >= now + 100_000 && at <= System.currentTimeMillis() + 100_000, "EX 100 -> " + at);
            o.check("SET", "so:ttl", "v2", "KEEPTTL");
            assertEquals(at, ferryExpireAt("so:ttl"), "KEEPTTL keeps the TTL");
            o.check("SET", "so:ttl", "v3");
            assertEquals(-1, ferryExpireAt("so:ttl"), "a plain SET clears the TTL");
            o.check("SET", "so:ttl", "v", "PXAT", "9999999999999");
            assertEquals(9999999999999L, ferryExpireAt("so:ttl"));
            o.check("SET", "so:ttl", "v", "EXAT", "9999999999");
            assertEquals(9999999999000L, ferryExpireAt("so:ttl"));
            o.check("SET", "so:ttl", "v", "PX", "5000");
            at = ferryExpireAt("so:ttl");
            assertTrue(at > now && at <= System.currentTimeMillis() + 5000, "PX 5000 -> " + at);
            // an absolute time in the past: set, then gone at the next access
            o.check("SET", "so:past", "v", "PXAT", "1");
            o.check("GET", "so:past");
            o.check("SET", "so:past", "v", "EXAT", "1", "GET");
            o.check("GET", "so:past");
            o.check("SETEX", "so:ttl", "100", "v");
            at = ferryExpireAt("so:ttl");
            assertTrue(at >= now + 100_000 && at <= System.currentTimeMillis() + 100_000, "SETEX -> " + at);
            o.check("PSETEX", "so:ttl", "100000", "v");
            o.check("SETNX", "so:ttl", "w");
            o.check("GET", "so:ttl");
            o.check("PSETEX", "so:short", "50", "v");
            o.check("GET", "so:short");
            Thread.sleep(120);
            o.check("GET", "so:short");
            o.check("SET", "so:short", "v", "PX", "60", "GET");
            o.check("SET", "so:short", "v2", "KEEPTTL", "GET");
            Thread.sleep(120);
            o.check("GET", "so:short");
        }
    }

    @Test
    void setnxSetexPsetex() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SETNX", "so:nx", "1");
            o.check("SETNX", "so:nx", "2");
            o.check("GET", "so:nx");
            o.check("SETNX", "so:nx");
            o.check("SETEX", "so:ex", "10", "v");
            o.check("GET", "so:ex");
            o.check("SETEX", "so:ex", "0", "v");
            o.check("SETEX", "so:ex", "-10", "v");
            o.check("SETEX", "so:ex", "x", "v");
            o.check("SETEX", "so:ex", "9223372036854776", "v");
            o.check("SETEX", "so:ex", "10");
            o.check("PSETEX", "so:ex", "10000", "w");
            o.check("GET", "so:ex");
            o.check("PSETEX", "so:ex", "0", "v");
            o.check("PSETEX", "so:ex", "9223372036854775807", "v");
            o.check("PSETEX", "so:ex", "1e3", "v");
            o.check("PSETEX", "so:ex", "10", "v", "x");
        }
    }

    @Test
    void multiKey() throws Exception {
        try (Oracle o = oracle()) {
            o.check("MSET", "so:m1", "a", "so:m2", "b");
            o.check("MGET", "so:m1", "so:m2", "so:m3", "so:m1");
            o.check("MSET", "so:m1", "a", "so:m2");
            o.check("MSET", "so:m1");
            o.check("MGET");
            o.check("MSET", "so:m1", "x", "so:m1", "y");
            o.check("GET", "so:m1");
            o.check("MSETNX", "so:m3", "c", "so:m1", "z");
            o.check("MGET", "so:m1", "so:m3");
            o.check("MSETNX", "so:m3", "c", "so:m4", "d");
            o.check("MSETNX", "so:m3", "c", "so:m4");
            o.check("MGET", "so:m3", "so:m4");
            o.check("MSETNX", "so:m5", "1", "so:m5", "2");
            o.check("GET", "so:m5");
            o.check("SET", "so:m6", "v", "EX", "100");
            o.check("MSET", "so:m6", "w");
            assertEquals(-1, ferryExpireAt("so:m6"), "MSET clears the TTL");
        }
    }

    @Test
    void getsetGetdelGetex() throws Exception {
        try (Oracle o = oracle()) {
            o.check("GETSET", "so:g", "1");
            o.check("GETSET", "so:g", "2");
            o.check("GET", "so:g");
            o.check("GETSET", "so:g");
            o.check("SET", "so:g", "v", "EX", "100");
            o.check("GETSET", "so:g", "3");
            assertEquals(-1, ferryExpireAt("so:g"), "GETSET clears the TTL");

            o.check("GETDEL", "so:g");
            o.check("GETDEL", "so:g");
            o.check("GET", "so:g");
            o.check("GETDEL", "so:g", "x");

            o.check("SET", "so:x", "val");
            o.check("GETEX", "so:x");
            o.check("GETEX", "so:x", "EX", "100");
            long at = ferryExpireAt("so:x");
            assertTrue(at > System.currentTimeMillis() + 99_000, "GETEX EX -> " + at);
            o.check("GETEX", "so:x", "PERSIST");
            assertEquals(-1, ferryExpireAt("so:x"));
            o.check("GETEX", "so:x", "persist", "PERSIST");
            o.check("GETEX", "so:x", "PX", "100000");
            o.check("GETEX", "so:x", "EXAT", "9999999999");
            assertEquals(9999999999000L, ferryExpireAt("so:x"));
            o.check("GETEX", "so:x", "PXAT", "9999999999999");
            assertEquals(9999999999999L, ferryExpireAt("so:x"));
            o.check("GETEX", "so:x", "EX", "10", "EX", "100");
            o.check("GETEX", "so:x", "PERSIST", "EX", "10");
            o.check("GETEX", "so:x", "EX", "10", "PERSIST");
            o.check("GETEX", "so:x", "EX", "10", "PX", "10");
            o.check("GETEX", "so:x", "KEEPTTL");
            o.check("GETEX", "so:x", "NX");
            o.check("GETEX", "so:x", "XX");
            o.check("GETEX", "so:x", "GET");
            o.check("GETEX", "so:x", "EX");
            o.check("GETEX", "so:x", "FOO");
            o.check("GETEX", "so:x", "EX", "0");
            o.check("GETEX", "so:x", "EX", "-1");
            o.check("GETEX", "so:x", "PX", "abc");
            o.check("GETEX", "so:x", "EX", "9223372036854776");
            o.check("GETEX", "so:x", "PXAT", "9223372036854775807");
            // on a missing key the expire time is not even validated, only the syntax
            o.check("GETEX", "so:missing", "EX", "0");
            o.check("GETEX", "so:missing", "EX", "abc");
            o.check("GETEX", "so:missing", "BAD");
            // an absolute time in the past deletes the key after replying with it
            o.check("GETEX", "so:x", "PXAT", "1");
            o.check("GET", "so:x");
            o.check("SET", "so:x", "v");
            o.check("GETEX", "so:x", "EXAT", "1");
            o.check("GETEX", "so:x");
            o.check("GETEX");
        }
    }

    @Test
    void appendAndStrlen() throws Exception {
        try (Oracle o = oracle()) {
            o.check("APPEND", "so:a", "hello");
            o.check("APPEND", "so:a", " world");
            o.check("APPEND", "so:a", "");
            o.check("GET", "so:a");
            o.check("STRLEN", "so:a");
            o.check("STRLEN", "so:none");
            o.check("APPEND", "so:n", "12");
            o.check("INCR", "so:n");
            o.check("APPEND", "so:n", "3");
            o.check("GET", "so:n");
            o.check("STRLEN", "so:n");
            o.check("APPEND", "so:e", "");
            o.check("GET", "so:e");
            o.check("STRLEN", "so:e");
            o.check("APPEND", "so:a");
            o.check("STRLEN");
            o.check("SET", "so:t", "v", "EX", "100");
            o.check("APPEND", "so:t", "w");
            assertTrue(ferryExpireAt("so:t") > 0, "APPEND keeps the TTL");
        }
    }

    @Test
    void counters() throws Exception {
        try (Oracle o = oracle()) {
            o.check("INCR", "so:c");
            o.check("INCR", "so:c");
            o.check("DECR", "so:c");
            o.check("DECR", "so:c2");
            o.check("INCRBY", "so:c", "100");
            o.check("INCRBY", "so:c", "-1000");
            o.check("DECRBY", "so:c", "-5");
            o.check("DECRBY", "so:c", "5");
            o.check("INCRBY", "so:c", "abc");
            o.check("INCRBY", "so:c", "1.0");
            o.check("INCRBY", "so:c", "");
            o.check("INCRBY", "so:c", "+1");
            o.check("INCRBY", "so:c", "01");
            o.check("INCRBY", "so:c", "-0");
            o.check("INCRBY", "so:c", "9223372036854775808");
            o.check("DECRBY", "so:c", "-9223372036854775808");
            o.check("DECRBY", "so:c", "9223372036854775808");
            o.check("SET", "so:c", "9223372036854775806");
            o.check("INCR", "so:c");
            o.check("INCR", "so:c");
            o.check("INCRBY", "so:c", "-9223372036854775807");
            o.check("SET", "so:c", "-9223372036854775807");
            o.check("DECR", "so:c");
            o.check("DECR", "so:c");
            o.check("INCRBY", "so:c", "9223372036854775807");
            o.check("SET", "so:c", "0");
            o.check("DECRBY", "so:c", "-9223372036854775808");
            o.check("INCRBY", "so:c", "-9223372036854775808");
            o.check("GET", "so:c");
            for (String bad : new String[] {"abc", "1.5", " 1", "1 ", "+1", "01", "-0", "", "9223372036854775808",
                "123456789012345678901", "0x10", "1e3"}) {
                o.check("SET", "so:bad", bad);
                o.check("INCR", "so:bad");
                o.check("DECRBY", "so:bad", "1");
                o.check("GET", "so:bad");
            }
            o.check("SET", "so:big", "-9223372036854775808");
            o.check("INCR", "so:big");
            o.check("INCR");
            o.check("INCRBY", "so:c");
            o.check("SET", "so:t", "5", "EX", "100");
            o.check("INCR", "so:t");
            assertTrue(ferryExpireAt("so:t") > 0, "INCR keeps the TTL");
        }
    }

    @Test
    void incrbyfloat() throws Exception {
        try (Oracle o = oracle()) {
            o.check("INCRBYFLOAT", "so:f", "10.5");
            o.check("INCRBYFLOAT", "so:f", "0.1");
            o.check("INCRBYFLOAT", "so:f", "-5");
            o.check("INCRBYFLOAT", "so:f", "5.0e3");
            o.check("INCRBYFLOAT", "so:f", "2.0e-3");
            o.check("INCRBYFLOAT", "so:f", "-10000");
            o.check("INCRBYFLOAT", "so:f", "abc");
            o.check("INCRBYFLOAT", "so:f", "");
            o.check("INCRBYFLOAT", "so:f", " 1");
            o.check("INCRBYFLOAT", "so:f", "1 ");
            o.check("INCRBYFLOAT", "so:f", "nan");
            o.check("INCRBYFLOAT", "so:f", "inf");
            o.check("INCRBYFLOAT", "so:f", "-Infinity");
            o.check("INCRBYFLOAT", "so:f", "1e4933");
            o.check("INCRBYFLOAT", "so:f", "1e-4951");
            o.check("INCRBYFLOAT", "so:f", "1e");
            o.check("INCRBYFLOAT", "so:f", "0x");
            o.check("INCRBYFLOAT", "so:f", "1d");
            o.check("INCRBYFLOAT", "so:f", "1.5\u0000");
            o.check("INCRBYFLOAT", "so:f", "+.5");
            o.check("INCRBYFLOAT", "so:f", "1.");
            o.check("INCRBYFLOAT", "so:f", "0x1.8p1");
            o.check("INCRBYFLOAT", "so:f", "0X.8");
            o.check("INCRBYFLOAT", "so:f", "0e999999999999");
            o.check("INCRBYFLOAT", "so:f", "1e+1");
            o.check("GET", "so:f");
            o.check("SET", "so:f", "12345678901.123456789");
            o.check("INCRBYFLOAT", "so:f", "0");
            o.check("INCRBYFLOAT", "so:f", "1e20");
            o.check("SET", "so:f", "1.7976931348623157e308");
            o.check("INCRBYFLOAT", "so:f", "1.7976931348623157e308");
            o.check("INCRBYFLOAT", "so:f2", "1e400");
            o.check("INCRBYFLOAT", "so:f2", "1.1e4932");
            o.check("INCRBYFLOAT", "so:f3", "-1e-20");
            o.check("INCRBYFLOAT", "so:f4", "0.000003814697265625");
            o.check("INCRBYFLOAT", "so:f5", "0.000011444091796875");
            o.check("INCRBYFLOAT", "so:f6", "3");
            o.check("INCRBYFLOAT", "so:f6", "-3");
            o.check("SET", "so:f7", "inf");
            o.check("INCRBYFLOAT", "so:f7", "1");
            o.check("SET", "so:f7", "hello");
            o.check("INCRBYFLOAT", "so:f7", "1");
            o.check("SET", "so:f7", "5");
            o.check("INCRBYFLOAT", "so:f7", "1.5");
            o.check("SET", "so:f8", "1.5", "EX", "100");
            o.check("INCRBYFLOAT", "so:f8", "1");
            assertTrue(ferryExpireAt("so:f8") > 0, "INCRBYFLOAT keeps the TTL");
            o.check("INCRBYFLOAT", "so:f8");
        }
    }

    @Test
    void getrangeAndSubstr() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SET", "so:r", "Hello World");
            String[] idx = {"0", "1", "4", "5", "10", "11", "100", "-1", "-2", "-5", "-11", "-12", "-100",
                "9223372036854775807", "-9223372036854775808"};
            for (String s : idx) {
                for (String e : idx) {
                    o.check("GETRANGE", "so:r", s, e);
                }
            }
            o.check("SUBSTR", "so:r", "0", "4");
            o.check("SUBSTR", "so:r", "-3", "-1");
            o.check("GETRANGE", "so:missing", "0", "-1");
            o.check("SUBSTR", "so:missing", "0", "-1");
            o.check("GETRANGE", "so:r", "a", "1");
            o.check("GETRANGE", "so:r", "0", "b");
            o.check("GETRANGE", "so:missing", "a", "1");
            o.check("GETRANGE", "so:r", "0", "9223372036854775808");
            o.check("SET", "so:empty", "");
            o.check("GETRANGE", "so:empty", "0", "-1");
            o.check("GETRANGE", "so:empty", "0", "0");
            o.check("GETRANGE", "so:empty", "-1", "5");
            o.check("SET", "so:num", "1234");
            o.check("INCR", "so:num");
            o.check("GETRANGE", "so:num", "1", "2");
            o.check("GETRANGE", "so:r", "0");
        }
    }

    @Test
    void setrange() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SETRANGE", "so:s", "0", "");
            o.check("GET", "so:s");
            o.check("SETRANGE", "so:s", "999999999999", "");
            o.check("SETRANGE", "so:s", "5", "abc");
            o.check("GET", "so:s");
            o.check("SETRANGE", "so:s", "0", "XY");
            o.check("SETRANGE", "so:s", "7", "defg");
            o.check("SETRANGE", "so:s", "2", "");
            o.check("GET", "so:s");
            o.check("SETRANGE", "so:s", "-1", "x");
            o.check("SETRANGE", "so:s", "-1", "");
            o.check("SETRANGE", "so:s", "x", "x");
            o.check("SETRANGE", "so:s", "1.5", "x");
            o.check("SETRANGE", "so:s", "536870912", "x");
            o.check("SETRANGE", "so:new", "536870912", "x");
            o.check("SETRANGE", "so:new", "536870912", "");
            o.check("SETRANGE", "so:s", "0", "z");
            o.check("GETRANGE", "so:s", "0", "9");
            o.check("SET", "so:n", "100");
            o.check("SETRANGE", "so:n", "1", "9");
            o.check("INCR", "so:n");
            o.check("SET", "so:t", "v", "EX", "100");
            o.check("SETRANGE", "so:t", "1", "w");
            assertTrue(ferryExpireAt("so:t") > 0, "SETRANGE keeps the TTL");
            o.check("SETRANGE", "so:t", "1");
        }
    }

    @Test
    void protoMaxBulkLenCapsAppendAndSetrange() throws Exception {
        long saved = onFerry(ctx -> ctx.settings().protoMaxBulkLen);
        try (Oracle o = oracle()) {
            onFerry(ctx -> ctx.settings().protoMaxBulkLen = 1024 * 1024);
            o.redis().call("CONFIG", "SET", "proto-max-bulk-len", "1048576");
            o.check("SETRANGE", "so:pm", "1048575", "x");
            o.check("SETRANGE", "so:pm", "1048575", "xy");
            o.check("SETRANGE", "so:pm2", "1048576", "x");
            o.check("APPEND", "so:pm", "y");
            o.check("STRLEN", "so:pm");
            o.check("SETRANGE", "so:pm3", "1048570", "x");
            o.check("APPEND", "so:pm3", "123456");
            o.check("APPEND", "so:pm3", "7");
            o.check("STRLEN", "so:pm3");
            // the LCS table (4 bytes a cell) is capped by the same setting
            o.check("SETRANGE", "so:lcs1", "400", "x");
            o.check("SETRANGE", "so:lcs2", "400", "y");
            o.check("LCS", "so:lcs1", "so:lcs2", "LEN");
            o.check("SETRANGE", "so:lcs1", "1000", "x");
            o.check("LCS", "so:lcs1", "so:lcs2", "LEN");
            // offset + length beyond a long: redis-server would wrap around and crash, Ferry refuses it
            assertEquals("-" + Errors.STRING_TOO_LONG + "\r\n", o.ferry().call("SETRANGE", "so:pm", "9223372036854775807", "x"));
        } finally {
            onFerry(ctx -> ctx.settings().protoMaxBulkLen = saved);
            try (Oracle o = oracle()) {
                o.redis().call("CONFIG", "SET", "proto-max-bulk-len", "536870912");
            }
        }
    }

    /** The examples of https://redis.io/commands/lcs/ and the option errors. */
    @Test
    void lcs() throws Exception {
        try (Oracle o = oracle()) {
            o.check("MSET", "so:key1", "ohmytext", "so:key2", "mynewtext");
            o.check("LCS", "so:key1", "so:key2");
            o.check("LCS", "so:key1", "so:key2", "LEN");
            o.check("LCS", "so:key1", "so:key2", "IDX");
            o.check("LCS", "so:key1", "so:key2", "IDX", "MINMATCHLEN", "4");
            o.check("LCS", "so:key1", "so:key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN");
            o.check("LCS", "so:key1", "so:key2", "IDX", "WITHMATCHLEN");
            o.check("LCS", "so:key1", "so:key2", "IDX", "MINMATCHLEN", "-3");
            o.check("LCS", "so:key1", "so:key2", "idx", "minmatchlen", "2", "withmatchlen", "len");
            o.check("LCS", "so:key1", "so:key2", "LEN", "IDX");
            o.check("LCS", "so:key1", "so:key2", "LEN", "WITHMATCHLEN");
            o.check("LCS", "so:key1", "so:key2", "MINMATCHLEN");
            o.check("LCS", "so:key1", "so:key2", "MINMATCHLEN", "x");
            o.check("LCS", "so:key1", "so:key2", "FOO");
            o.check("LCS", "so:key1", "so:nokey");
            o.check("LCS", "so:nokey", "so:nokey", "IDX");
            o.check("LCS", "so:nokey", "so:key1", "LEN");
            o.check("LCS", "so:key1", "so:key1");
            o.check("LCS", "so:key1");
            o.check("MSET", "so:l1", "ABCBDAB", "so:l2", "BDCABA");
            o.check("LCS", "so:l1", "so:l2");
            o.check("LCS", "so:l1", "so:l2", "IDX", "WITHMATCHLEN");
            o.check("MSET", "so:l1", "GAC", "so:l2", "AGCAT");
            o.check("LCS", "so:l1", "so:l2", "IDX", "WITHMATCHLEN");
            o.check("LCS", "so:l2", "so:l1", "IDX", "WITHMATCHLEN");
            o.check("MSET", "so:l1", "aaaa", "so:l2", "aa");
            o.check("LCS", "so:l1", "so:l2", "IDX");
            // RESP3: IDX is a map
            o.ferry().call("HELLO", "3");
            o.redis().call("HELLO", "3");
            o.check("LCS", "so:key1", "so:key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN");
            o.check("LCS", "so:nokey", "so:nokey", "IDX");
            o.check("LCS", "so:key1", "so:key2");
        }
    }

    /** Null replies in RESP3 are "_", inside arrays too. */
    @Test
    void resp3Replies() throws Exception {
        try (Oracle o = oracle()) {
            o.ferry().call("HELLO", "3");
            o.redis().call("HELLO", "3");
            o.check("GET", "so:r3");
            o.check("MGET", "so:r3", "so:r3b");
            o.check("SET", "so:r3", "v", "XX");
            o.check("SET", "so:r3", "v", "GET");
            o.check("SET", "so:r3", "v", "NX");
            o.check("GETEX", "so:r3-none");
            o.check("GETDEL", "so:r3-none");
            o.check("GETSET", "so:r3-none", "x");
            o.check("INCRBYFLOAT", "so:r3f", "1.5");
            o.check("GETRANGE", "so:r3-missing", "0", "1");
            o.check("MGET", "so:r3", "so:r3-none", "so:r3-missing");
        }
    }

}
