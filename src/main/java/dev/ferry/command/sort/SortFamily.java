package dev.ferry.command.sort;

import dev.ferry.engine.Call;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.Errors;
import dev.ferry.engine.ReplyError;
import dev.ferry.protocol.Ascii;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.HashValue;
import dev.ferry.store.ListValue;
import dev.ferry.store.SetValue;
import dev.ferry.store.StringValue;
import dev.ferry.store.Value;
import dev.ferry.store.ZSetValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import static dev.ferry.engine.CommandFlags.*;

/**
 * SORT and SORT_RO (Redis 7.0's sort.c): lists, sets and sorted sets, numeric or ALPHA, BY a pattern (or a
 * constant, which means "do not sort"), GET patterns ({@code #}, {@code key*}, {@code key*->field}), LIMIT,
 * DESC, and STORE into a list.
 *
 * <p>Ties are broken as Redis breaks them: numeric ties by the elements' bytes, so the order is deterministic.
 * ALPHA compares bytes (Redis uses strcoll without STORE; in the C/UTF-8 locales a server runs in, that is
 * byte order for valid UTF-8).
 */
public final class SortFamily implements CommandFamily {
    private static final ReplyError NOT_DOUBLE = new ReplyError("ERR One or more scores can't be converted into double");
    private static final byte[] EMPTY = new byte[0];

    @Override
    public void register(CommandTable t) {
        t.add("sort", -2, WRITE | DENYOOM, 1, 1, 1, "generic", c -> sort(c, false));
        t.add("sort_ro", -2, READONLY, 1, 1, 1, "generic", c -> sort(c, true));
    }

    /** One element to sort: the element, and what it sorts by (a score, or bytes for ALPHA BY). */
    private static final class Item {
        final byte[] element;
        double score;
        byte[] by;

        Item(byte[] element) {
            this.element = element;
        }
    }

    private static void sort(Call c, boolean readonly) {
        boolean desc = false, alpha = false, dontsort = false;
        long limitStart = 0, limitCount = -1;
        byte[] sortBy = null, storeKey = null;
        List<byte[]> gets = new ArrayList<>();
        for (int j = 2; j < c.argc(); j++) {
            int left = c.argc() - j - 1;
            if (c.argIs(j, "asc")) {
                desc = false;
            } else if (c.argIs(j, "desc")) {
                desc = true;
            } else if (c.argIs(j, "alpha")) {
                alpha = true;
            } else if (c.argIs(j, "limit") && left >= 2) {
                limitStart = c.longArg(j + 1);
                limitCount = c.longArg(j + 2);
                j += 2;
            } else if (!readonly && c.argIs(j, "store") && left >= 1) {
                storeKey = c.arg(++j);
            } else if (c.argIs(j, "by") && left >= 1) {
                sortBy = c.arg(++j);
                if (indexOf(sortBy, (byte) '*', 0) < 0) dontsort = true;
            } else if (c.argIs(j, "get") && left >= 1) {
                gets.add(c.arg(++j));
            } else {
                throw Errors.syntax();
            }
        }
        Database db = c.db();
        Dict.Entry e = db.lookupRead(c.arg(1));
        Value v = e == null ? null : e.value();
        if (v != null && !(v instanceof ListValue || v instanceof SetValue || v instanceof ZSetValue)) {
            throw Errors.wrongType();
        }
        if (v instanceof ZSetValue z && z.isListpack()) {
            // Redis converts a listpack sorted set to a skiplist for good before sorting it (even SORT_RO):
            // a new object with the same contents, which OBJECT ENCODING then shows
            v = z.asSkiplist();
            db.overwriteSameContents(db.lookupForWrite(c.arg(1)), v);
        }
        // a set has no order of its own: what is stored (or scripted) must not depend on the hash order
        if (dontsort && v instanceof SetValue && storeKey != null) {
            dontsort = false;
            alpha = true;
            sortBy = null;
        }
        List<byte[]> elements = v == null ? List.of() : elementsOf(v);
        int n = elements.size();
        long start = Math.min(Math.max(limitStart, 0), n);
        long count = Math.min(Math.max(limitCount, -1), n);
        long end = count < 0 ? n - 1 : start + count - 1;
        if (start >= n) {
            start = n - 1;
            end = n - 2;
        }
        if (end >= n) end = n - 1;

        Item[] items = new Item[n];
        if (dontsort && desc && !(v instanceof SetValue)) {
            // lists and sorted sets keep their own order, read from the other end for DESC
            for (int i = 0; i < n; i++) items[i] = new Item(elements.get(n - 1 - i));
        } else {
            for (int i = 0; i < n; i++) items[i] = new Item(elements.get(i));
        }
        if (!dontsort) {
            boolean notDouble = false;
            for (Item it : items) {
                byte[] by = it.element;
                if (sortBy != null) {
                    by = lookupByPattern(db, sortBy, it.element);
                    if (by == null) continue;
                }
                if (alpha) {
                    if (sortBy != null) it.by = by;
                } else {
                    Double d = parseScore(by);
                    if (d == null) notDouble = true;
                    else it.score = d;
                }
            }
            if (notDouble) throw NOT_DOUBLE;
            Arrays.sort(items, comparator(alpha, sortBy != null, desc));
        }

        int outputLen = (int) Math.max(0, end - start + 1) * (gets.isEmpty() ? 1 : gets.size());
        if (storeKey == null) {
            c.reply.array(outputLen);
            for (long j = start; j <= end; j++) {
                Item it = items[(int) j];
                if (gets.isEmpty()) c.reply.bulk(it.element);
                for (byte[] pattern : gets) {
                    byte[] val = lookupByPattern(db, pattern, it.element);
                    if (val == null) c.reply.nullBulk();
                    else c.reply.bulk(val);
                }
            }
            return;
        }
        List<byte[]> out = new ArrayList<>(outputLen);
        for (long j = start; j <= end; j++) {
            Item it = items[(int) j];
            if (gets.isEmpty()) out.add(it.element);
            for (byte[] pattern : gets) {
                byte[] val = lookupByPattern(db, pattern, it.element);
                out.add(val == null ? EMPTY : val);
            }
        }
        if (!out.isEmpty()) {
            ListValue list = new ListValue(c.server.settings().listMaxListpackSize);
            for (byte[] b : out) list.pushTail(b);
            db.set(storeKey, list, false);
            c.keyspace().dirty(out.size());
        } else if (db.delete(storeKey)) {
            c.keyspace().dirty(1);
        }
        c.reply.integer(outputLen);
    }

    private static Comparator<Item> comparator(boolean alpha, boolean byPattern, boolean desc) {
        Comparator<Item> cmp;
        if (!alpha) {
            cmp = (a, b) -> {
                int r = Double.compare(a.score, b.score);
                if (a.score == b.score) r = 0;   // -0.0 and 0.0 are equal scores, as in C
                return r != 0 ? r : Arrays.compareUnsigned(a.element, b.element);
            };
        } else if (byPattern) {
            cmp = (a, b) -> {
                if (a.by == null || b.by == null) return a.by == b.by ? 0 : a.by == null ? -1 : 1;
                return Arrays.compareUnsigned(a.by, b.by);
            };
        } else {
            cmp = (a, b) -> Arrays.compareUnsigned(a.element, b.element);
        }
        return desc ? cmp.reversed() : cmp;
    }

    /**
     * Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by the
     * element, and "->field" after it reads a hash field; only strings (and hash fields) are found, a pattern
     * without '*' finds nothing.
     */
    static byte[] lookupByPattern(Database db, byte[] pattern, byte[] subst) {
        if (pattern.length == 1 && pattern[0] == '#') return subst;
        int star = indexOf(pattern, (byte) '*', 0);
        if (star < 0) return null;
        int arrow = indexOfArrow(pattern, star + 1);
        int fieldLen = arrow >= 0 && arrow + 2 < pattern.length ? pattern.length - arrow - 2 : 0;
        int keyEnd = fieldLen > 0 ? arrow : pattern.length;
        byte[] key = new byte[star + subst.length + (keyEnd - star - 1)];
        System.arraycopy(pattern, 0, key, 0, star);
        System.arraycopy(subst, 0, key, star, subst.length);
        System.arraycopy(pattern, star + 1, key, star + subst.length, keyEnd - star - 1);
        Dict.Entry e = db.lookupRead(key);
        if (e == null) return null;
        if (fieldLen > 0) {
            if (!(e.value() instanceof HashValue h)) return null;
            return h.get(Arrays.copyOfRange(pattern, arrow + 2, pattern.length));
        }
        return e.value() instanceof StringValue s ? s.toByteArray() : null;
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == b) return i;
        return -1;
    }

    private static int indexOfArrow(byte[] a, int from) {
        for (int i = from; i + 1 < a.length; i++) if (a[i] == '-' && a[i + 1] == '>') return i;
        return -1;
    }

    /**
     * strtod as SORT uses it: leading white space skipped, the whole rest must be the number, overflow and
     * underflow (ERANGE) and NaN refused.
     */
    static Double parseScore(byte[] b) {
        int i = 0;
        while (i < b.length && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r'))) i++;
        if (i == b.length) return null;
        String s = new String(b, i, b.length - i, java.nio.charset.StandardCharsets.ISO_8859_1);
        char last = s.charAt(s.length() - 1);
        if (last == 'd' || last == 'D' || last == 'f' || last == 'F' || s.indexOf(' ') >= 0) return null;
        double d;
        String lower = s.toLowerCase();
        if (lower.equals("inf") || lower.equals("+inf") || lower.equals("infinity") || lower.equals("+infinity")) return Double.POSITIVE_INFINITY;
        if (lower.equals("-inf") || lower.equals("-infinity")) return Double.NEGATIVE_INFINITY;
        try {
            d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) return null;
        if (d == 0 && !isZeroText(lower)) return null;   // underflow: ERANGE
        return d;
    }

    private static boolean isZeroText(String s) {
        int e = s.indexOf('e');
        String mantissa = e >= 0 ? s.substring(0, e) : s;
        for (int i = 0; i < mantissa.length(); i++) {
            char ch = mantissa.charAt(i);
            if (ch >= '1' && ch <= '9') return false;
        }
        return true;
    }

    /** The elements in the value's own order: a list head to tail, a sorted set by rank, a set as it iterates. */
    private static List<byte[]> elementsOf(Value v) {
        List<byte[]> out = new ArrayList<>();
        if (v instanceof ListValue l) {
            for (ListValue.Cursor cur = l.cursor(true); cur.hasNext(); ) out.add(cur.next());
        } else if (v instanceof SetValue s) {
            s.forEachMember(out::add);
        } else if (v instanceof ZSetValue z) {
            z.forEach((b, off, len, score) -> out.add(Arrays.copyOfRange(b, off, off + len)));
        }
        return out;
    }
}
