package dev.ferry.rdb;

import dev.ferry.store.Intset;
import dev.ferry.store.Listpack;

import java.nio.charset.StandardCharsets;

/**
 * Checks of the compact blobs an RDB value may be (listpack, intset), and conversion of the legacy ones
 * (ziplist, zipmap) to listpacks, before any of them reaches Ferry's values, which trust their layout. The
 * checks are Redis's deep ones (lpValidateIntegrity, intsetValidateIntegrity, ziplistValidateIntegrity,
 * zipmapValidateIntegrity with deep = 1): every header and entry length, back-lengths, entry counts, the
 * terminator, intset order, and for hashes, sets and sorted sets no duplicate field or member.
 *
 * <p>A method returns a reason when the blob is refused, null when it is good. Not thread-safe (one per reader).
 */
final class Blobs {
    private final ElementSet seen = new ElementSet();
    private int count;
    private boolean duplicate;
    private int step;

    /**
     * Why lp is not a listpack of elements grouped by {@code group} (1 for list or set members, 2 for
     * field/value or member/score pairs), with no duplicate among the first of each group when {@code unique};
     * null when it is one. Also counts its elements ({@link #lastCount}).
     */
    String checkListpack(byte[] lp, int group, boolean unique) {
        count = 0;
        duplicate = false;
        step = group;
        if (unique) seen.reset(lp, (lp.length >= 6 ? Math.min(Listpack.headerCount(lp), lp.length / 2) : 0) / group);
        boolean whole = Listpack.forEach(lp, new Listpack.Visitor() {
            @Override
            public void string(byte[] b, int off, int len) {
                if (unique && count % step == 0 && !seen.addString(off, len)) duplicate = true;
                count++;
            }

            @Override
            public void integer(long v) {
                if (unique && count % step == 0 && !seen.addInteger(v)) duplicate = true;
                count++;
            }
        });
        if (!whole) return "listpack integrity check failed";
        if (!backlensAsRedisWrites(lp)) return "listpack integrity check failed: a back-length Redis would read backwards wrongly";
        if (count % group != 0) return "listpack of " + count + " elements, not a whole number of " + (group == 2 ? "pairs" : "groups");
        if (duplicate) return "listpack with a duplicate " + (group == 2 ? "field or member" : "member");
        return null;
    }

    /**
     * Why a (structurally checked) sorted-set listpack does not hold valid scores in order: every score an
     * integer or the text of a double that is not NaN ("inf", "-inf", %.17g), scores never decreasing (Ferry's
     * ZSetValue binary-searches them, as zzlInsert keeps them); null when it does.
     */
    static String checkZsetScores(byte[] lp) {
        double prev = Double.NEGATIVE_INFINITY;
        for (int p = Listpack.first(lp); p >= 0; ) {
            int score = Listpack.next(lp, p);
            double d;
            if (!Listpack.isString(lp, score)) {
                d = Listpack.integer(lp, score);
            } else {
                // non-integral scores only; ZSetValue itself parses them the same way
                String s = new String(lp, Listpack.stringOffset(lp, score), Listpack.stringLength(lp, score), StandardCharsets.ISO_8859_1);
                if (s.equals("inf")) d = Double.POSITIVE_INFINITY;
                else if (s.equals("-inf")) d = Double.NEGATIVE_INFINITY;
                else {
                    try {
                        d = Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        return "sorted set listpack with a score that is not a number";
                    }
                }
            }
            if (Double.isNaN(d)) return "sorted set listpack with a NaN score";
            if (d < prev) return "sorted set listpack with scores out of order";
            prev = d;
            p = Listpack.next(lp, score);
        }
        return null;
    }

    /**
     * Whether every entry's back-length is the bytes lpEncodeBacklen writes (the most significant 7 bits first,
     * every byte after the first flagged with 128). The forward walk only checks the value they give; Redis walks
     * listpacks backwards too (lpPrev), and Ferry writes these bytes back out to Redis, so their form matters.
     */
    private static boolean backlensAsRedisWrites(byte[] lp) {
        for (int p = Listpack.FIRST; !Listpack.atEnd(lp, p); ) {
            int q = Listpack.skip(lp, p);
            int total = q - p, enc = -1, n = 0;
            for (int k = 1; k <= 5; k++) {
                if (backlenSize(total - k) == k) {
                    enc = total - k;
                    n = k;
                    break;
                }
            }
            if (enc < 0) return false;
            for (int i = 0; i < n; i++) {
                int expected = (enc >>> (7 * (n - 1 - i))) & 127;
                if (i > 0) expected |= 128;
                if ((lp[p + enc + i] & 0xFF) != expected) return false;
            }
            p = q;
        }
        return true;
    }

    private static int backlenSize(long l) {
        return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    }

    /** Elements in the listpack last checked. */
    int lastCount() {
        return count;
    }

    /** Why is not an intset of at least one member, ascending, unique; null when it is one. */
    static String checkIntset(byte[] is) {
        if (is.length < 8) return "intset shorter than its header";
        if (Intset.decode(is) == null) return "intset integrity check failed";
        if (Intset.length(is) == 0) return "intset with no member";
        return null;
    }

    // ---- ziplist (ziplist.c): u32le zlbytes | u32le zltail | u16le zllen | entries | 0xFF ----
    //      entry = prevlen (1 byte, or 0xFE + u32le) | encoding | data

    private static final int ZL_HEADER = 10;

    /**
     * The listpack holding the elements of ziplist zl in order (ints as ints, strings as lpAppend stores them),
     * or null, with the reason in {@link #lastError}, when zl is not a ziplist whose elements come in groups of
     * {@code group} (no duplicate first-of-group when {@code unique}).
     */
    byte[] ziplistToListpack(byte[] zl, int group, boolean unique) {
        lastError = null;
        int n = zl.length;
        if (n < ZL_HEADER + 1) return fail("ziplist shorter than its header");
        long zlbytes = le(zl, 0, 4), zltail = le(zl, 4, 4);
        int declared = (int) le(zl, 8, 2);
        if (zlbytes != n) return fail("ziplist size header " + zlbytes + " is not its length " + n);
        if ((zl[n - 1] & 0xFF) != 0xFF) return fail("ziplist without its end byte");
        if (zltail > n - 1) return fail("ziplist tail offset past its end");
        Listpack lp = new Listpack();
        if (unique) seen.reset(zl, Math.min(declared, n / 2) / group);
        int p = ZL_HEADER, prevSize = 0, seenCount = 0, last = -1;
        while ((zl[p] & 0xFF) != 0xFF) {
            int start = p;
            // prevlen: the previous entry's size, 1 byte, or 0xFE + 4 bytes LE
            int prevlen;
            if ((zl[p] & 0xFF) < 0xFE) {
                prevlen = zl[p] & 0xFF;
                p += 1;
            } else {
                if (p + 5 > n - 1) return fail("ziplist prevlen past the end");
                long v = le(zl, p + 1, 4);
                if (v > n) return fail("ziplist prevlen past the end");
                prevlen = (int) v;
                p += 5;
            }
            if (prevlen != prevSize) return fail("ziplist prevlen " + prevlen + " is not the previous entry's size " + prevSize);
            if (p >= n - 1) return fail("ziplist entry past the end");
            int enc = zl[p] & 0xFF;
            long dataLen = 0;
            int header;
            boolean isString = true;
            long value = 0;
            switch (enc >>> 6) {
                case 0 -> {
                    header = 1;
                    dataLen = enc & 0x3F;
                }
                case 1 -> {
                    if (p + 2 > n - 1) return fail("ziplist entry header past the end");
                    header = 2;
                    dataLen = (enc & 0x3F) << 8 | (zl[p + 1] & 0xFF);
                }
                case 2 -> {
                    if (p + 5 > n - 1) return fail("ziplist entry header past the end");
                    header = 5;
                    dataLen = (zl[p + 1] & 0xFFL) << 24 | (zl[p + 2] & 0xFFL) << 16 | (zl[p + 3] & 0xFFL) << 8 | (zl[p + 4] & 0xFFL);
                }
                default -> {
                    isString = false;
                    header = 1;
                    int width;
                    if (enc == 0xC0) width = 2;
                    else if (enc == 0xD0) width = 4;
                    else if (enc == 0xE0) width = 8;
                    else if (enc == 0xF0) width = 3;
                    else if (enc == 0xFE) width = 1;
                    else if (enc >= 0xF1 && enc <= 0xFD) width = 0;
                    else return fail("ziplist entry with unknown encoding " + enc);
                    dataLen = width;
                    if (p + 1 + width > n - 1) return fail("ziplist entry past the end");
                    if (width == 0) {
                        value = (enc & 0x0F) - 1;
                    } else {
                        value = le(zl, p + 1, width);
                        int unused = 64 - 8 * width;
                        value = value << unused >> unused;
                    }
                }
            }
            if (p + header + dataLen > n - 1) return fail("ziplist entry data past the end");
            int data = p + header;
            if (isString) {
                byte[] s = java.util.Arrays.copyOfRange(zl, data, data + (int) dataLen);
                if (unique && seenCount % group == 0 && !seen.addString(data, (int) dataLen)) return fail("ziplist with a duplicate field or member");
                lp.append(s);
            } else {
                if (unique && seenCount % group == 0 && !seen.addInteger(value)) return fail("ziplist with a duplicate field or member");
                lp.appendInteger(value);
            }
            p = data + (int) dataLen;
            prevSize = p - start;
            last = start;
            seenCount++;
        }
        if (p != n - 1) return fail("ziplist end byte before its end");
        if (zltail != (last < 0 ? ZL_HEADER : last)) return fail("ziplist tail offset " + zltail + " is not its last entry's");
        if (declared != 0xFFFF && declared != seenCount) return fail("ziplist count " + declared + " is not its " + seenCount + " entries");
        if (seenCount % group != 0) return fail("ziplist of " + seenCount + " elements, not a whole number of pairs");
        count = seenCount;
        return lp.toBytes();
    }

    // ---- zipmap (zipmap.c): zmlen | (len key | len free value junk)* | 0xFF; len = 1 byte < 254, or 254 + u32le ----

    /** The listpack of field, value, ... of zipmap zm, or null with {@link #lastError} when it is not one. */
    byte[] zipmapToListpack(byte[] zm) {
        lastError = null;
        int n = zm.length;
        if (n < 2) return fail("zipmap shorter than its header");
        int declared = zm[0] & 0xFF;
        Listpack lp = new Listpack();
        seen.reset(zm, declared < 254 ? declared : 16);
        int p = 1, pairs = 0;
        while (true) {
            if (p >= n) return fail("zipmap without its end byte");
            if ((zm[p] & 0xFF) == 0xFF) break;
            // key
            long klen = zipmapLength(zm, p);
            if (klen < 0) return fail("zipmap length past the end");
            p += (zm[p] & 0xFF) < 254 ? 1 : 5;
            if (p + klen > n - 1) return fail("zipmap key past the end");
            int key = p;
            p += (int) klen;
            // value length, free byte, value, free bytes
            if (p >= n || (zm[p] & 0xFF) == 0xFF) return fail("zipmap key without a value");
            long vlen = zipmapLength(zm, p);
            if (vlen < 0) return fail("zipmap length past the end");
            p += (zm[p] & 0xFF) < 254 ? 1 : 5;
            if (p >= n - 1) return fail("zipmap value past the end");
            int free = zm[p] & 0xFF;
            p++;
            if (p + vlen + free > n - 1) return fail("zipmap value past the end");
            if (!seen.addString(key, (int) klen)) return fail("zipmap with a duplicate field");
            lp.append(java.util.Arrays.copyOfRange(zm, key, key + (int) klen));
            lp.append(java.util.Arrays.copyOfRange(zm, p, p + (int) vlen));
            p += (int) vlen + free;
            pairs++;
        }
        if (p != n - 1) return fail("zipmap end byte before its end");
        if (declared < 254 && declared != pairs) return fail("zipmap count " + declared + " is not its " + pairs + " pairs");
        count = pairs * 2;
        return lp.toBytes();
    }

    /** A zipmap length at p (254 = 4 bytes LE follow), -1 when it runs past the end; 255 is not a length. */
    private static long zipmapLength(byte[] zm, int p) {
        int b = zm[p] & 0xFF;
        if (b < 254) return b;
        if (b == 255 || p + 5 > zm.length) return -1;
        return le(zm, p + 1, 4);
    }

    /** Why the last conversion failed. */
    String lastError;

    private byte[] fail(String reason) {
        lastError = reason;
        return null;
    }

    private static long le(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (b[off + i] & 0xFF);
        return v;
    }
}
