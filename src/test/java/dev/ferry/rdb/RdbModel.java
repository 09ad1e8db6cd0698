package dev.ferry.rdb;

import dev.ferry.store.Intset;
import dev.ferry.store.Listpack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A test visitor that keeps everything an RdbReader hands over as plain Java collections (binary strings as
 * ISO-8859-1 text), to compare with what redis-server answers. Records through which call each value came
 * ("listpack", "intset", "stream", "nodes") to check the blob and streaming paths. Also checks the visitor
 * protocol: begin/end pairs, list elements only inside a list, no key handed twice.
 */
class RdbModel implements RdbVisitor {
    static final class Entry {
        final String kind;
        final long expireAt;
        String form;
        Object value;
        long idle = -1;
        int freq = -1;

        Entry(String kind, long expireAt, String form, Object value) {
            this.kind = kind;
            this.expireAt = expireAt;
            this.form = form;
            this.value = value;
        }

        @Override
        public String toString() {
            return kind + "/" + form + " exp=" + expireAt + " " + value;
        }
    }

    final Map<Long, Map<String, Entry>> dbs = new TreeMap<>();
    final Map<String, String> aux = new LinkedHashMap<>();
    final List<String> functions = new ArrayList<>();
    final List<String> moduleAux = new ArrayList<>();
    final List<String> emptySkipped = new ArrayList<>();
    final List<long[]> progress = new ArrayList<>();
    int version;
    long db;
    boolean ended;
    private Entry open;
    private long pendingIdle = -1;
    private int pendingFreq = -1;

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    Map<String, Entry> db(long id) {
        return dbs.computeIfAbsent(id, k -> new LinkedHashMap<>());
    }

    Entry get(long dbId, String key) {
        return db(dbId).get(key);
    }

    int keyCount() {
        int n = 0;
        for (Map<String, Entry> m : dbs.values()) n += m.size();
        return n;
    }

    private Entry put(byte[] key, String kind, long expireAt, String form, Object value) {
        if (open != null) throw new AssertionError("a key begun inside another");
        Entry e = new Entry(kind, expireAt, form, value);
        e.idle = pendingIdle;
        e.freq = pendingFreq;
        pendingIdle = -1;
        pendingFreq = -1;
        if (db(db).put(s(key), e) != null) throw new AssertionError("key handed twice: " + s(key));
        return e;
    }

    static List<String> elements(byte[] lp) {
        List<String> out = new ArrayList<>();
        boolean ok = Listpack.forEach(lp, new Listpack.Visitor() {
            @Override
            public void string(byte[] b, int off, int len) {
                out.add(new String(b, off, len, StandardCharsets.ISO_8859_1));
            }

            @Override
            public void integer(long v) {
                out.add(Long.toString(v));
            }
        });
        if (!ok) throw new AssertionError("handed a listpack that does not validate");
        return out;
    }

    @Override
    public void progress(long bytesRead, long total) {
        progress.add(new long[] {bytesRead, total});
    }

    @Override
    public void header(int version) {
        this.version = version;
    }

    @Override
    public void aux(byte[] key, byte[] value) {
        aux.put(s(key), s(value));
    }

    @Override
    public void selectDb(long db) {
        this.db = db;
    }

    @Override
    public void function(byte[] code) {
        functions.add(s(code));
    }

    @Override
    public void moduleAux(String moduleName, long moduleId, int when) {
        moduleAux.add(moduleName + "/" + (moduleId & 1023) + "/" + when);
    }

    @Override
    public void idle(long seconds) {
        pendingIdle = seconds;
    }

    @Override
    public void freq(int counter) {
        pendingFreq = counter;
    }

    @Override
    public void emptyKeySkipped(byte[] key, int type) {
        emptySkipped.add(s(key) + "/" + type);
    }

    @Override
    public void endOfFile(long checksum) {
        if (open != null) throw new AssertionError("EOF inside a value");
        ended = true;
    }

    @Override
    public void string(byte[] key, long expireAt, byte[] value) {
        put(key, "string", expireAt, "string", s(value));
    }

    @Override
    public void hashListpack(byte[] key, long expireAt, byte[] lp) {
        List<String> el = elements(lp);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < el.size(); i += 2) m.put(el.get(i), el.get(i + 1));
        put(key, "hash", expireAt, "listpack", m);
    }

    @Override
    public void zsetListpack(byte[] key, long expireAt, byte[] lp) {
        List<String> el = elements(lp);
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < el.size(); i += 2) m.put(el.get(i), parseScore(el.get(i + 1)));
        put(key, "zset", expireAt, "listpack", m);
    }

    static double parseScore(String s) {
        if (s.equals("inf")) return Double.POSITIVE_INFINITY;
        if (s.equals("-inf")) return Double.NEGATIVE_INFINITY;
        return Double.parseDouble(s);
    }

    @Override
    public void setIntset(byte[] key, long expireAt, byte[] intset) {
        Set<String> m = new LinkedHashSet<>();
        for (long v : Intset.decode(intset)) m.add(Long.toString(v));
        put(key, "set", expireAt, "intset", m);
    }

    @Override
    public void setListpack(byte[] key, long expireAt, byte[] lp) {
        put(key, "set", expireAt, "listpack", new LinkedHashSet<>(elements(lp)));
    }

    @Override
    public void beginHash(byte[] key, long expireAt, long sizeHint) {
        open = put(key, "hash", expireAt, "stream", new LinkedHashMap<String, String>());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void hashField(byte[] field, byte[] value) {
        if (open == null || !open.kind.equals("hash")) throw new AssertionError("hash field outside a hash");
        if (((Map<String, String>) open.value).put(s(field), s(value)) != null) throw new AssertionError("duplicate field");
    }

    @Override
    public void beginSet(byte[] key, long expireAt, long sizeHint) {
        open = put(key, "set", expireAt, "stream", new LinkedHashSet<String>());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void setMember(byte[] member) {
        if (open == null || !open.kind.equals("set")) throw new AssertionError("set member outside a set");
        ((Set<String>) open.value).add(s(member));
    }

    @Override
    public void beginZSet(byte[] key, long expireAt, long sizeHint) {
        open = put(key, "zset", expireAt, "stream", new LinkedHashMap<String, Double>());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void zsetMember(byte[] member, double score) {
        if (open == null || !open.kind.equals("zset")) throw new AssertionError("zset member outside a zset");
        ((Map<String, Double>) open.value).put(s(member), score);
    }

    @Override
    public void beginList(byte[] key, long expireAt) {
        open = put(key, "list", expireAt, "", new ArrayList<String>());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void listNode(byte[] lp) {
        if (open == null || !open.kind.equals("list")) throw new AssertionError("list node outside a list");
        List<String> el = elements(lp);
        if (el.isEmpty()) throw new AssertionError("empty list node handed");
        ((List<String>) open.value).addAll(el);
        open.form += "N";
    }

    @Override
    @SuppressWarnings("unchecked")
    public void listElement(byte[] element) {
        if (open == null || !open.kind.equals("list")) throw new AssertionError("list element outside a list");
        ((List<String>) open.value).add(s(element));
        if (!open.form.endsWith("E")) open.form += "E";
    }

    @Override
    public void endValue() {
        if (open == null) throw new AssertionError("endValue without a value");
        if (open.kind.equals("list") && ((List<?>) open.value).isEmpty()) throw new AssertionError("empty list handed");
        open = null;
    }
}
