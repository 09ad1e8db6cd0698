package dev.ferry.command.string;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long double model behind INCRBYFLOAT, on results taken from redis-server 7.0.15 on x86-64 (the
 * randomized comparison in StringRandomTest covers the rest).
 */
class StringLongDoubleTest {

    private static LongDouble parse(String s) {
        return LongDouble.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String sum(String a, String b) {
        return new String(parse(a).add(parse(b)).toHumanBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void printsWhatRedisPrints() {
        assertEquals("2.5", sum("1.5", "1"));
        assertEquals("10.6", sum("10.5", "0.1"));
        assertEquals("1000.09999999999999998", sum("0.1", "1e3"));
        // digits beyond long double precision show the binary value, as %.17Lf does
        assertEquals("12345678901.12345678918063641", sum("12345678901.123456789", "0"));
        assertEquals("100000000012345678904", sum("12345678901.12345678918063641", "1e20"));
        // exact ties at the 17th decimal round half to even
        assertEquals("0.00000381469726562", sum("0.000003814697265625", "0"));
        assertEquals("0.00001144409179688", sum("0.000011444091796875", "0"));
        // a negative value that prints as zero is "0", never "-0"
        assertEquals("0", sum("-1e-20", "0"));
        assertEquals("0", sum("3", "-3"));
        assertEquals("3.5", sum("0x1.8p1", "0.5"));
        assertEquals("0.5", sum("0X.8", "0e999999999999"));
        assertEquals("0.5", sum("+.5", "0"));
        assertEquals("5", sum("5.", "0"));
        assertEquals("14", sum("4", "1e+1"));
        String huge = sum("1e400", "0");
        assertEquals(401, huge.length());
        assertTrue(huge.startsWith("10000000000000000000281880683947586514586453433629"), huge);
    }

    @Test
    void refusesWhatString2ldRefuses() {
        for (String bad : new String[] {"", " 1", "1 ", "\t1", "abc", "nan", "NaN", "-nan", "1e", "1e+", "0x", "0x.p1",
            "1d", "1f", "1.5\u0000", "\u00001", ".", "-", "+", "1e4933", "-1e4933", "1e-4951", "infinit", "infinityx",
            "1_000", "1,5", "--1", "0x1p"}) {
            assertNull(parse(bad), "'" + bad + "' should be refused");
        }
        assertNull(parse("1" + "0".repeat(LongDouble.MAX_CHARS - 1)));
        assertTrue(parse("1" + "0".repeat(LongDouble.MAX_CHARS - 2)) == null, "too large a value overflows anyway");
        assertEquals("1", new String(parse("0." + "0".repeat(5000) + "1e5001").toHumanBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void infinitiesAndOverflow() {
        assertTrue(parse("inf").isInfinite());
        assertTrue(parse("-Infinity").isInfinite());
        assertTrue(parse("inf").add(parse("1")).isInfinite());
        assertTrue(parse("1.1e4932").add(parse("1.1e4932")).isInfinite());
        assertTrue(!parse("1.1e4932").add(parse("-1.1e4932")).isInfinite());
        assertTrue(!parse("3e-4951").isInfinite());
    }
}
