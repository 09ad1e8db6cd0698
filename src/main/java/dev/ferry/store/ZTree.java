package dev.ferry.store;

import java.util.Arrays;

/**
 * The large encoding of a sorted set (what Redis calls OBJ_ENCODING_SKIPLIST, and OBJECT ENCODING still says
 * "skiplist"): a {@link HashTable} from member to node for O(1) lookups, and a counted B+tree of the same nodes
 * ordered by score, then by member bytes (memcmp, shorter first), for ranks and ranges in O(log n).
 *
 * <p>Why a B+tree and not Redis's skiplist: a skiplist step is a random memory access, and a score change is two
 * descents of about 22 steps each through 100k members; ZADD on a large set ran at half of redis-server's rate
 * with one. Here a leaf keeps up to {@value #LEAF_CAP} scores in one {@code double[]} next to their nodes, and
 * an inner node keeps its children's sizes (for ranks) and separator keys in arrays, so a descent touches a few
 * cache lines per level, three levels for a million members.
 *
 * <p>Shape: all leaves at the same depth, linked both ways for walks. An inner node's separator {@code i} is
 * the lowest key of child {@code i + 1} when that child was split off, so child {@code i} holds keys in
 * [sep[i-1], sep[i]); a separator may name a member since removed, which still bounds correctly. Leaves merge
 * with a neighbour when they fall under a quarter full and the two fit in three quarters; inner nodes are only
 * removed when empty (height can only shrink at the root).
 *
 * <p>A node's score is final: a score change removes the node and inserts a new one ({@link #updateScore}), so
 * a node a snapshot holds never changes under it. The executing loop is the only thread that touches a tree
 * (descent paths are kept in fields).
 */
public final class ZTree {
    static final int LEAF_CAP = 64;
    static final int INNER_CAP = 64;
    private static final int MAX_HEIGHT = 16;

    /** A member: its bytes are the table key. */
    public static final class Node extends HashTable.Node {
        public final double score;

        Node(byte[] member, int hash, double score) {
            super(member, hash);
            this.score = score;
        }

        public byte[] member() {
            return key;
        }
    }

    /** Up to LEAF_CAP entries (one more while it splits), scores beside their nodes for the searches. */
    private static final class Leaf {
        final double[] scores = new double[LEAF_CAP + 1];
        final Node[] nodes = new Node[LEAF_CAP + 1];
        int n;
        Leaf prev, next;
    }

    private static final class Inner {
        /** Leaf or Inner, by the height. */
        final Object[] kids = new Object[INNER_CAP + 1];
        /** Entries under each child. */
        final int[] counts = new int[INNER_CAP + 1];
        final double[] sepScores = new double[INNER_CAP];
        final byte[][] sepMembers = new byte[INNER_CAP][];
        int n;
    }

    /** Decides on which side of a boundary a key is: true while the key is still before it (monotone). */
    interface Before {
        boolean test(double score, byte[] member);
    }

    private final HashTable<Node> table = new HashTable<>();
    private Object root = new Leaf();
    /** Inner levels above the leaves. */
    private int height;
    private Leaf head, tail;
    private int length;
    /** The last descent's path: the inner node and the child taken at each level (one executing thread). */
    private final Inner[] pathNode = new Inner[MAX_HEIGHT];
    private final int[] pathKid = new int[MAX_HEIGHT];

    public ZTree() {
        head = tail = (Leaf) root;
    }

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
        return length == 0 ? null : head.nodes[0];
    }

    public Node last() {
        return length == 0 ? null : tail.nodes[tail.n - 1];
    }

    static int compare(double s1, byte[] m1, double s2, byte[] m2) {
        if (s1 < s2) return -1;
        if (s1 > s2) return 1;
        return Arrays.compareUnsigned(m1, m2);
    }

    // ---- changes ---------------------------------------------------------------------------------------------

    /** Adds a member the caller knows to be absent; returns its node. */
    public Node insert(byte[] member, double score) {
        Node n = new Node(member, Dict.hash(member), score);
        treeInsert(n);
        table.add(n);
        return n;
    }

    /** Removes the member; returns its node or null. */
    public Node remove(byte[] member) {
        Node n = table.find(member);
        if (n == null) return null;
        remove(n);
        return n;
    }

    /** Removes the node of a member present in this tree. */
    public void remove(Node n) {
        treeRemove(n);
        table.remove(n.key);
    }

    /** Changes a member's score: a new node replaces the old one (nodes are never changed). */
    public Node updateScore(Node n, double score) {
        treeRemove(n);
        Node m = new Node(n.key, n.hash, score);
        treeInsert(m);
        table.replace(n, m);
        return m;
    }

    /** Down to the leaf whose key range holds (score, member), recording the path. */
    private Leaf descend(double score, byte[] member) {
        Object x = root;
        for (int h = 0; h < height; h++) {
            Inner in = (Inner) x;
            int c = childFor(in, score, member);
            pathNode[h] = in;
            pathKid[h] = c;
            x = in.kids[c];
        }
        return (Leaf) x;
    }

    /** How many separators are at or below the key: the child whose range holds it. */
    private static int childFor(Inner in, double score, byte[] member) {
        int lo = 0, hi = in.n - 1; // separators 0 .. n-2
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(in.sepScores[mid], in.sepMembers[mid], score, member) <= 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** The first index of the leaf whose key is at or above (score, member). */
    private static int lowerBound(Leaf l, double score, byte[] member) {
        int lo = 0, hi = l.n;
        double[] s = l.scores;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            double m = s[mid];
            if (m < score || (m == score && Arrays.compareUnsigned(l.nodes[mid].key, member) < 0)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void treeInsert(Node node) {
        Leaf leaf = descend(node.score, node.key);
        int i = lowerBound(leaf, node.score, node.key);
        System.arraycopy(leaf.scores, i, leaf.scores, i + 1, leaf.n - i);
        System.arraycopy(leaf.nodes, i, leaf.nodes, i + 1, leaf.n - i);
        leaf.scores[i] = node.score;
        leaf.nodes[i] = node;
        leaf.n++;
        length++;
        for (int h = 0; h < height; h++) pathNode[h].counts[pathKid[h]]++;
        if (leaf.n > LEAF_CAP) splitLeaf(leaf);
    }

    private void splitLeaf(Leaf left) {
        Leaf right = new Leaf();
        int keep = left.n / 2, moved = left.n - keep;
        System.arraycopy(left.scores, keep, right.scores, 0, moved);
        System.arraycopy(left.nodes, keep, right.nodes, 0, moved);
        Arrays.fill(left.nodes, keep, left.n, null);
        left.n = keep;
        right.n = moved;
        right.prev = left;
        right.next = left.next;
        if (left.next != null) left.next.prev = right;
        else tail = right;
        left.next = right;
        addSibling(height - 1, left, right, moved, right.scores[0], right.nodes[0].key);
    }

    /**
     * Puts a new right sibling (holding rightCount entries) after the path's child at level h, splitting that
     * level's node in turn when it overflows; a new root above the old one when h is -1.
     */
    private void addSibling(int h, Object left, Object right, int rightCount, double sepScore, byte[] sepMember) {
        if (h < 0) {
            Inner r = new Inner();
            r.kids[0] = left;
            r.kids[1] = right;
            r.counts[0] = length - rightCount;
            r.counts[1] = rightCount;
            r.sepScores[0] = sepScore;
            r.sepMembers[0] = sepMember;
            r.n = 2;
            root = r;
            height++;
            return;
        }
        Inner p = pathNode[h];
        int c = pathKid[h];
        int tail = p.n - (c + 1);
        System.arraycopy(p.kids, c + 1, p.kids, c + 2, tail);
        System.arraycopy(p.counts, c + 1, p.counts, c + 2, tail);
        System.arraycopy(p.sepScores, c, p.sepScores, c + 1, p.n - 1 - c);
        System.arraycopy(p.sepMembers, c, p.sepMembers, c + 1, p.n - 1 - c);
        p.kids[c + 1] = right;
        p.counts[c] -= rightCount;
        p.counts[c + 1] = rightCount;
        p.sepScores[c] = sepScore;
        p.sepMembers[c] = sepMember;
        p.n++;
        if (p.n > INNER_CAP) splitInner(h, p);
    }

    private void splitInner(int h, Inner left) {
        Inner right = new Inner();
        int keep = left.n / 2, moved = left.n - keep;
        System.arraycopy(left.kids, keep, right.kids, 0, moved);
        System.arraycopy(left.counts, keep, right.counts, 0, moved);
        // separator keep-1 divides the halves and goes up; the right half keeps the ones after it
        System.arraycopy(left.sepScores, keep, right.sepScores, 0, moved - 1);
        System.arraycopy(left.sepMembers, keep, right.sepMembers, 0, moved - 1);
        double upScore = left.sepScores[keep - 1];
        byte[] upMember = left.sepMembers[keep - 1];
        int rightCount = 0;
        for (int k = 0; k < moved; k++) rightCount += right.counts[k];
        Arrays.fill(left.kids, keep, left.n, null);
        Arrays.fill(left.sepMembers, keep - 1, left.n - 1, null);
        left.n = keep;
        right.n = moved;
        addSibling(h - 1, left, right, rightCount, upScore, upMember);
    }

    private void treeRemove(Node node) {
        Leaf leaf = descend(node.score, node.key);
        int i = lowerBound(leaf, node.score, node.key);
        if (i >= leaf.n || leaf.nodes[i] != node) throw new IllegalStateException("sorted-set node not in its tree");
        System.arraycopy(leaf.scores, i + 1, leaf.scores, i, leaf.n - i - 1);
        System.arraycopy(leaf.nodes, i + 1, leaf.nodes, i, leaf.n - i - 1);
        leaf.nodes[--leaf.n] = null;
        length--;
        for (int h = 0; h < height; h++) pathNode[h].counts[pathKid[h]]--;
        if (height == 0) return;
        if (leaf.n == 0) {
            unlinkLeaf(leaf);
            removeKid(height - 1);
        } else if (leaf.n < LEAF_CAP / 4) {
            mergeLeaf(leaf);
        }
    }

    private void unlinkLeaf(Leaf l) {
        if (l.prev != null) l.prev.next = l.next;
        else head = l.next;
        if (l.next != null) l.next.prev = l.prev;
        else tail = l.prev;
    }

    /** Merges an underfull leaf with a neighbour under the same parent when both fit in three quarters of one. */
    private void mergeLeaf(Leaf leaf) {
        Inner p = pathNode[height - 1];
        int c = pathKid[height - 1];
        int limit = LEAF_CAP * 3 / 4;
        Leaf left, right;
        int rightKid;
        if (c > 0 && ((Leaf) p.kids[c - 1]).n + leaf.n <= limit) {
            left = (Leaf) p.kids[c - 1];
            right = leaf;
            rightKid = c;
        } else if (c + 1 < p.n && ((Leaf) p.kids[c + 1]).n + leaf.n <= limit) {
            left = leaf;
            right = (Leaf) p.kids[c + 1];
            rightKid = c + 1;
        } else {
            return;
        }
        System.arraycopy(right.scores, 0, left.scores, left.n, right.n);
        System.arraycopy(right.nodes, 0, left.nodes, left.n, right.n);
        left.n += right.n;
        p.counts[rightKid - 1] += p.counts[rightKid];
        unlinkLeaf(right);
        pathKid[height - 1] = rightKid;
        removeKid(height - 1);
    }

    /** Removes the path's child at level h from its node (its entries are gone or moved to its left sibling). */
    private void removeKid(int h) {
        Inner p = pathNode[h];
        int c = pathKid[h];
        System.arraycopy(p.kids, c + 1, p.kids, c, p.n - c - 1);
        System.arraycopy(p.counts, c + 1, p.counts, c, p.n - c - 1);
        // child c's lower bound is separator c-1; the first child has none, and then separator 0 goes
        int s = c == 0 ? 0 : c - 1;
        if (p.n > 1) {
            System.arraycopy(p.sepScores, s + 1, p.sepScores, s, p.n - 2 - s);
            System.arraycopy(p.sepMembers, s + 1, p.sepMembers, s, p.n - 2 - s);
            p.sepMembers[p.n - 2] = null;
        }
        p.kids[--p.n] = null;
        if (p.n == 0) {
            removeKid(h - 1); // h > 0: the root always keeps a child, below
        } else if (h == 0) {
            while (height > 0 && ((Inner) root).n == 1) {
                root = ((Inner) root).kids[0];
                height--;
            }
        }
    }

    // ---- positions -------------------------------------------------------------------------------------------

    /** The 1-based rank of a member present in the tree. */
    public long rank(Node target) {
        long r = 0;
        Object x = root;
        for (int h = 0; h < height; h++) {
            Inner in = (Inner) x;
            int c = childFor(in, target.score, target.key);
            for (int k = 0; k < c; k++) r += in.counts[k];
            x = in.kids[c];
        }
        return r + lowerBound((Leaf) x, target.score, target.key) + 1;
    }

    /** The node at a 1-based rank, or null. */
    public Node byRank(long rank) {
        Cursor c = cursor(rank - 1);
        return c.valid() ? c.node() : null;
    }

    /** The 0-based index of the first key not before the boundary (size() when every key is before it). */
    long firstIndex(Before before) {
        long r = 0;
        Object x = root;
        for (int h = 0; h < height; h++) {
            Inner in = (Inner) x;
            int lo = 0, hi = in.n - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (before.test(in.sepScores[mid], in.sepMembers[mid])) lo = mid + 1;
                else hi = mid;
            }
            for (int k = 0; k < lo; k++) r += in.counts[k];
            x = in.kids[lo];
        }
        Leaf l = (Leaf) x;
        int lo = 0, hi = l.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (before.test(l.scores[mid], l.nodes[mid].key)) lo = mid + 1;
            else hi = mid;
        }
        return r + lo;
    }

    /** Index of the first member with a score above min (or at min unless minex); size() when none. */
    public long firstAbove(double min, boolean minex) {
        return firstIndex(minex ? (s, m) -> s <= min : (s, m) -> s < min);
    }

    /** Index of the last member with a score below max (or at max unless maxex); -1 when none. */
    public long lastBelow(double max, boolean maxex) {
        return firstAbove(max, !maxex) - 1;
    }

    /** Index of the first member at or after the lex range's min; size() when none. */
    public long firstLexAbove(ZLexRange r) {
        return firstIndex((s, m) -> !r.gteMin(m, 0, m.length));
    }

    /** Index of the last member at or before the lex range's max; -1 when none. */
    public long lastLexBelow(ZLexRange r) {
        return firstIndex((s, m) -> r.lteMax(m, 0, m.length)) - 1;
    }

    /** A cursor at a 0-based index; not valid when the index is out of range. */
    public Cursor cursor(long index) {
        Cursor cur = new Cursor();
        if (index < 0 || index >= length) return cur;
        long i = index;
        Object x = root;
        for (int h = 0; h < height; h++) {
            Inner in = (Inner) x;
            int c = 0;
            while (i >= in.counts[c]) i -= in.counts[c++];
            x = in.kids[c];
        }
        cur.leaf = (Leaf) x;
        cur.i = (int) i;
        return cur;
    }

    /**
     * A position in the order, moved one member at a time across leaves. Valid until the tree changes: callers
     * that remove while they walk collect the nodes first.
     */
    public static final class Cursor {
        private Leaf leaf;
        private int i;

        public boolean valid() {
            return leaf != null;
        }

        public Node node() {
            return leaf.nodes[i];
        }

        public void next() {
            if (++i >= leaf.n) {
                leaf = leaf.next;
                i = 0;
            }
        }

        public void prev() {
            if (--i < 0) {
                leaf = leaf.prev;
                i = leaf == null ? 0 : leaf.n - 1;
            }
        }

        /** One member on: down the order when reverse. */
        public void step(boolean reverse) {
            if (reverse) prev();
            else next();
        }
    }
}
