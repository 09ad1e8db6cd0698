package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * BITFIELD and BITFIELD_RO: replies and errors byte for byte against a real redis-server 7.0, every overflow
 * mode at the types' boundaries, every error and the order Redis checks them in. Keys are prefixed "bf:".
 */
@QuarkusTest
class BitfieldOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static Oracle oracle() throws Exception {
        return new Oracle(FerryPort.get(), redis.port());
    }

    @Test
    void getSetIncrby() throws Exception {
        try (Oracle o = oracle()) {
            o.check("DEL", "bf:a", "bf:m", "bf:i");
            o.check("BITFIELD", "bf:m", "GET", "u8", "0", "GET", "i64", "100");
            o.check("EXISTS", "bf:m");
            o.check("BITFIELD", "bf:m");
            o.check("BITFIELD_RO", "bf:m", "GET", "i5", "3");
            o.check("BITFIELD", "bf:a", "SET", "u8", "0", "200", "GET", "u8", "0", "GET", "i8", "0", "GET", "u4", "4");
            o.check("GET", "bf:a");
            o.check("OBJECT", "ENCODING", "bf:a");
            o.check("BITFIELD", "bf:a", "INCRBY", "i5", "100", "1", "GET", "u4", "0");
            o.check("STRLEN", "bf:a");
            o.check("GET", "bf:a");
            o.check("bitfield", "bf:a", "set", "i8", "#3", "-5", "get", "i8", "#3", "get", "u8", "24", "incrby", "u2", "#1", "3");
            o.check("GET", "bf:a");
            o.check("BITFIELD", "bf:a", "SET", "I16", "#0", "1234", "GET", "U16", "0");
            o.check("BITFIELD_RO", "bf:a", "GET", "i64", "0", "GET", "u63", "1", "GET", "i1", "7", "GET", "u1", "7");
            o.check("BITFIELD_RO", "bf:a", "OVERFLOW", "SAT", "GET", "u8", "0");
            o.check("BITFIELD", "bf:a", "GET", "u8", "4294967295", "GET", "i64", "4294967295");
            // an integer string is read as its digits and becomes raw when written
            o.check("SET", "bf:i", "12345");
            o.check("BITFIELD_RO", "bf:i", "GET", "u16", "0");
            o.check("BITFIELD", "bf:i", "GET", "u8", "0");
            o.check("OBJECT", "ENCODING", "bf:i");
            o.check("BITFIELD", "bf:i", "SET", "u8", "0", "50");
            o.check("GET", "bf:i");
            o.check("OBJECT", "ENCODING", "bf:i");
            o.check("SET", "bf:t", "x", "EX", "1000");
            o.check("BITFIELD", "bf:t", "SET", "u8", "16", "65");
            o.check("TTL", "bf:t");
            o.check("GET", "bf:t");
        }
    }

    @Test
    void overflowModesAtBoundaries() throws Exception {
        String[][] types = {
            {"i8", "127", "-128"}, {"u8", "255", "0"}, {"i64", "9223372036854775807", "-9223372036854775808"},
            {"u63", "9223372036854775807", "0"}, {"i1", "0", "-1"}, {"u1", "1", "0"}, {"i63", "4611686018427387903",
            "-4611686018427387904"}, {"i2", "1", "-2"}, {"u2", "3", "0"}};
        String[] values = {"0", "1", "-1", "2", "-2", "127", "128", "-128", "-129", "255", "256", "-255", "-256",
            "9223372036854775807", "-9223372036854775808", "9223372036854775806", "-9223372036854775807",
            "4611686018427387903", "4611686018427387904", "-4611686018427387905"};
        try (Oracle o = oracle()) {
            for (String mode : new String[] {"WRAP", "SAT", "FAIL"}) {
                for (String[] t : types) {
                    for (String start : new String[] {t[1], t[2], "0"}) {
                        for (String v : values) {
                            o.check("DEL", "bf:o");
                            o.check("BITFIELD", "bf:o", "SET", t[0], "3", start);
                            o.check("BITFIELD", "bf:o", "OVERFLOW", mode, "INCRBY", t[0], "3", v, "GET", t[0], "3");
                            o.check("BITFIELD", "bf:o", "OVERFLOW", mode, "SET", t[0], "3", v, "GET", t[0], "3");
                            o.check("GET", "bf:o");
                        }
                    }
                }
            }
            // the mode holds for the following writes only, and changes between them
            o.check("DEL", "bf:o");
            o.check("BITFIELD", "bf:o", "INCRBY", "u8", "0", "300", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "300",
                "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1", "INCRBY", "u8", "0", "-1", "OVERFLOW", "wrap",
                "INCRBY", "u8", "0", "2");
            // FAIL on a missing key still creates the (zero) string
            o.check("DEL", "bf:f");
            o.check("BITFIELD", "bf:f", "OVERFLOW", "FAIL", "INCRBY", "i8", "16", "200");
            o.check("GET", "bf:f");
        }
    }

    @Test
    void errorsInRedisOrder() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SET", "bf:e", "abc");
            o.check("BITFIELD", "bf:e", "GET", "u64", "0");
            o.check("BITFIELD", "bf:e", "GET", "i65", "0");
            o.check("BITFIELD", "bf:e", "GET", "i0", "0");
            o.check("BITFIELD", "bf:e", "GET", "u0", "0");
            o.check("BITFIELD", "bf:e", "GET", "x8", "0");
            o.check("BITFIELD", "bf:e", "GET", "i", "0");
            o.check("BITFIELD", "bf:e", "GET", "", "0");
            o.check("BITFIELD", "bf:e", "GET", "i08", "0");
            o.check("BITFIELD", "bf:e", "GET", "i-8", "0");
            o.check("BITFIELD", "bf:e", "GET", "i8", "-1");
            o.check("BITFIELD", "bf:e", "GET", "i8", "#-1");
            o.check("BITFIELD", "bf:e", "GET", "i8", "#");
            o.check("BITFIELD", "bf:e", "GET", "i8", "x");
            o.check("BITFIELD", "bf:e", "GET", "i8", "4294967296");
            o.check("BITFIELD", "bf:e", "GET", "i8", "#536870912");
            o.check("BITFIELD", "bf:e", "GET", "i8", "#536870911");
            o.check("BITFIELD", "bf:e", "GET", "i8", "#1152921504606846976");
            o.check("BITFIELD", "bf:e", "GET", "i8", "99999999999999999999");
            o.check("BITFIELD", "bf:e", "SET", "i8", "0", "x");
            o.check("BITFIELD", "bf:e", "SET", "i8", "0", "99999999999999999999");
            o.check("BITFIELD", "bf:e", "INCRBY", "i8", "0", "1.5");
            o.check("BITFIELD", "bf:e", "SET", "i8", "0", "1", "OVERFLOW", "SATURATE");
            o.check("BITFIELD", "bf:e", "SET", "i8", "0", "1", "OVERFLOW");
            o.check("BITFIELD", "bf:e", "SET", "i8", "0");
            o.check("BITFIELD", "bf:e", "GET", "i8");
            o.check("BITFIELD", "bf:e", "FOO");
            o.check("BITFIELD", "bf:e", "SET", "i8", "0", "1", "GET", "u64", "0");
            o.check("GET", "bf:e");
            o.check("BITFIELD", "bf:e", "GET", "i8", "x", "GET", "u64", "0");
            o.check("BITFIELD_RO", "bf:e", "SET", "i8", "0", "1");
            o.check("BITFIELD_RO", "bf:e", "INCRBY", "i8", "0", "1", "GET", "u64", "0");
            o.check("BITFIELD_RO", "bf:e", "GET", "u8", "0", "INCRBY", "i8", "0", "1");
            o.check("BITFIELD_RO", "bf:e", "OVERFLOW", "FAIL");
            o.check("BITFIELD_RO", "bf:e");
            o.check("BITFIELD_RO");
            o.check("BITFIELD");
            o.check("GET", "bf:e");
        }
    }
}
