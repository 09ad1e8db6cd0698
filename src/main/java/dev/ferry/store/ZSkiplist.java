package dev.ferry.store;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The large encoding of a sorted set (Redis's zset: a dict plus a zskiplist, t_zset.c): members ordered by
 * score then by bytes (memcmp, shorter first), with spans so that ranks are found in O(log n), and a
 * {@link HashTable} from member to node for O(1) lookups.
 *
 * <p>One node per member, and it is both things: the table's chained entry ({@link HashTable.Node}: member
 * bytes, hash, chain link) and the skiplist node (score, backward link, level-0 forward link as a field).
 * Three quarters of the nodes have one level (P = 1/4, as Redis's ZSKIPLIST_P), so the forward links and spans
 * of levels 1 and up live in two small arrays that are null for them; level 0's span is always 1 and is not
 * stored. No boxed score, no String.
 *
 * <p>A node's score is final: a score change removes the node and inserts a new one, so a node a snapshot
 * holds never changes under it.
 */
public final class ZSkiplist {
    public static final int MAX_LEVEL = 32;

    /** A member: its bytes are the table key. */
    public static final class Node extends HashTable.Node {
        public final double score;
        Node backward;
        Node fwd0;
        /** Forward links of levels 1.. (null for a one-level node). */
        Node[] up;
        int[] upSpan;

        Node(byte[] member, double score, int level) {
            super(member);
            this.score = score;
            if (level > 1) {
                up = new Node[level - 1];
                upSpan = new int[level - 1];
            }
        }

        public byte[] member() {
            return key;
        }

        /** The next member in ascending order, or null. */
        public Node next() {
            return fwd0;
        }

        /** The previous member, or null. */
        public Node prev() {
            return backward;
        }

        int level() {
            return up == null ? 1 : up.length + 1;
        }

        Node fwd(int i) {
            return i == 0 ? fwd0 : up[i - 1];
        }

        void fwd(int i, Node n) {
            if (i == 0) fwd0 = n;
            else up[i - 1] = n;
        }

        int span(int i) {
            return i == 0 ? 1 : upSpan[i - 1];
        }

        void span(int i, int s) {
            if (i != 0) upSpan[i - 1] = s;
        }
    }

    private static final byte[] NO_MEMBER = new byte[0];

    private final HashTable<Node> table = new HashTable<>();
    private final Node header = new Node(NO_MEMBER, 0, MAX_LEVEL);
    private Node tail;
    private int level = 1;
    private int length;
    /** Scratch of insert and remove (one executing thread), kept to spare the hot path two allocations. */
    private final Node[] update = new Node[MAX_LEVEL];
    private final int[] rankBuf = new int[MAX_LEVEL];

    public int size() {
        return length;
    }

    public HashTable<Node> table() {
        return table;
    }

    public Node find(byte[] member) {
        return table.find(member);
    }

    public Node first() {
        return header.fwd0;
    }

    public Node last() {
        return tail;
    }

    static int compare(double s1, byte[] m1, double s2, byte[] m2) {
        if (s1 < s2) return -1;
        if (s1 > s2) return 1;
        return Arrays.compareUnsigned(m1, m2);
    }

    private static boolean before(Node n, double score, byte[] member) {
        return n.score < score || (n.score == score && Arrays.compareUnsigned(n.key, member) < 0);
    }

    private static int randomLevel() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int l = 1;
        while (l < MAX_LEVEL && (r.nextInt() & 0xFFFF) < (0xFFFF >> 2)) l++;
        return l;
    }

    /** Adds a member the caller knows to be absent; returns its node. */
    public Node insert(byte[] member, double score) {
        Node n = link(member, score);
        table.add(n);
        return n;
    }

    /** Puts a new node for the member into the skiplist (not into the table); returns it. */
    private Node link(byte[] member, double score) {
        Node[] update = this.update;
        int[] rank = rankBuf;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            rank[i] = i == level - 1 ? 0 : rank[i + 1];
            Node f;
            while ((f = x.fwd(i)) != null && before(f, score, member)) {
                rank[i] += x.span(i);
                x = f;
            }
            update[i] = x;
        }
        int lvl = randomLevel();
        if (lvl > level) {
            for (int i = level; i < lvl; i++) {
                rank[i] = 0;
                update[i] = header;
                header.span(i, length);
            }
            level = lvl;
        }
        Node n = new Node(member, score, lvl);
        for (int i = 0; i < lvl; i++) {
            n.fwd(i, update[i].fwd(i));
            update[i].fwd(i, n);
            n.span(i, update[i].span(i) - (rank[0] - rank[i]));
            update[i].span(i, (rank[0] - rank[i]) + 1);
        }
        for (int i = lvl; i < level; i++) update[i].span(i, update[i].span(i) + 1);
        n.backward = update[0] == header ? null : update[0];
        if (n.fwd0 != null) n.fwd0.backward = n;
        else tail = n;
        length++;
        return n;
    }

    /** Removes the member; returns its node or null. */
    public Node remove(byte[] member) {
        Node n = table.find(member);
        if (n == null) return null;
        unlinkFromList(n);
        table.remove(member);
        return n;
    }

    /** Removes the node of a member present in this skiplist. */
    public void remove(Node n) {
        unlinkFromList(n);
        table.remove(n.key);
    }

    private void unlinkFromList(Node target) {
        Node[] update = this.update;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            Node f;
            while ((f = x.fwd(i)) != null && f != target && before(f, target.score, target.key)) x = f;
            update[i] = x;
        }
        for (int i = 0; i < level; i++) {
            if (update[i].fwd(i) == target) {
                update[i].span(i, update[i].span(i) + target.span(i) - 1);
                update[i].fwd(i, target.fwd(i));
            } else {
                update[i].span(i, update[i].span(i) - 1);
            }
        }
        if (target.fwd0 != null) target.fwd0.backward = target.backward;
        else tail = target.backward;
        while (level > 1 && header.fwd(level - 1) == null) level--;
        length--;
    }

    /** Changes a member's score: a new node replaces the old one (nodes are never changed). */
    public Node updateScore(Node n, double score) {
        unlinkFromList(n);
        Node m = link(n.key, score);
        table.replace(n, m);
        return m;
    }

    /** The 1-based rank of a member present in the skiplist. */
    public long rank(Node target) {
        long r = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            Node f;
            while ((f = x.fwd(i)) != null && (f == target || before(f, target.score, target.key))) {
                r += x.span(i);
                x = f;
            }
            if (x == target) return r;
        }
        return 0;
    }

    /** The node at a 1-based rank, or null. */
    public Node byRank(long rank) {
        if (rank < 1 || rank > length) return null;
        long traversed = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            Node f;
            while ((f = x.fwd(i)) != null && traversed + x.span(i) <= rank) {
                traversed += x.span(i);
                x = f;
            }
            if (traversed == rank) return x;
        }
        return null;
    }

    // ---- score ranges ------------------------------------------------------------------------------------

    /** The first node with score above min (or at min unless minex), or null. */
    public Node firstAbove(double min, boolean minex) {
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            Node f;
            while ((f = x.fwd(i)) != null && (minex ? f.score <= min : f.score < min)) x = f;
        }
        return x.fwd0;
    }

    /** The last node with score below max (or at max unless maxex), or null. */
    public Node lastBelow(double max, boolean maxex) {
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            Node f;
            while ((f = x.fwd(i)) != null && (maxex ? f.score < max : f.score <= max)) x = f;
        }
        return x == header ? null : x;
    }

    // ---- lex ranges ------------------------------------------------------------------------------------------

    /** The first node at or after the lex range's min, or null. */
    public Node firstLexAbove(ZSetValue.LexRange r) {
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            Node f;
            while ((f = x.fwd(i)) != null && !r.gteMin(f.key, 0, f.key.length)) x = f;
        }
        return x.fwd0;
    }

    /** The last node at or before the lex range's max, or null. */
    public Node lastLexBelow(ZSetValue.LexRange r) {
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            Node f;
            while ((f = x.fwd(i)) != null && r.lteMax(f.key, 0, f.key.length)) x = f;
        }
        return x == header ? null : x;
    }
}
