package dev.ferry.store;

/** A score interval (zrangespec). */
public final class ZScoreRange {
    public double min, max;
    public boolean minex, maxex;

    public boolean gteMin(double v) {
        return minex ? v > min : v >= min;
    }

    public boolean lteMax(double v) {
        return maxex ? v < max : v <= max;
    }

    public boolean empty() {
        return min > max || (min == max && (minex || maxex));
    }
}
