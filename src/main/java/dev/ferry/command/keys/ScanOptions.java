package dev.ferry.command.keys;

import dev.ferry.engine.Call;
import dev.ferry.engine.Errors;
import dev.ferry.protocol.Reply;
import dev.ferry.store.Glob;

/**
 * The options of SCAN, HSCAN, SSCAN and ZSCAN as Redis's scanGenericCommand reads them: COUNT (at least 1,
 * default 10), MATCH (a pattern that matches everything is dropped, so nothing is filtered) and, for SCAN
 * only, TYPE; anything else, or an option without its value, is a syntax error.
 */
public final class ScanOptions {
    private static final byte[] ZERO = {'0'};

    public long count = 10;
    /** The MATCH pattern, or null when there is none to apply. */
    public byte[] pattern;
    /** SCAN's TYPE, read as a C string; null when absent. */
    public byte[] type;

    private ScanOptions() {}

    /** Parses the options from argument {@code from} on; TYPE is accepted only when {@code withType}. */
    public static ScanOptions parse(Call c, int from, boolean withType) {
        ScanOptions o = new ScanOptions();
        for (int i = from; i < c.argc(); i += 2) {
            boolean hasValue = c.argc() - i >= 2;
            if (c.argIs(i, "count") && hasValue) {
                o.count = c.longArg(i + 1);
                if (o.count < 1) throw Errors.syntax();
            } else if (c.argIs(i, "match") && hasValue) {
                o.pattern = Glob.matchesAll(c.arg(i + 1)) ? null : c.arg(i + 1);
            } else if (withType && c.argIs(i, "type") && hasValue) {
                o.type = KeyFamily.cString(c.arg(i + 1));
            } else {
                throw Errors.syntax();
            }
        }
        return o;
    }

    /** True when the pattern lets the element through. */
    public boolean matches(byte[] element) {
        return pattern == null || Glob.matches(pattern, element);
    }

    /**
     * Redis's shared.emptyscan: what HSCAN, SSCAN and ZSCAN answer for a missing key, before their options are
     * even read.
     */
    public static void replyEmpty(Reply r) {
        r.array(2);
        r.bulk(ZERO);
        r.array(0);
    }
}
