package dev.ferry.engine.info;

import java.util.Locale;

/** INFO's text: "field:value" lines ending in CRLF, and Redis's number formats. */
public final class InfoWriter {
    private final StringBuilder out = new StringBuilder(4096);
    private int sections;

    void section(String title) {
        if (sections++ > 0) out.append("\r\n");
        out.append("# ").append(title).append("\r\n");
    }

    public void field(String name, String value) {
        out.append(name).append(':').append(value).append("\r\n");
    }

    public void field(String name, long value) {
        out.append(name).append(':').append(value).append("\r\n");
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** "%.2f", as Redis prints ratios and rates. */
    public static String fixed2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** "%.6f" seconds from nanoseconds, as Redis prints CPU time. */
    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
    }

    /** Redis's bytesToHuman: B below 1K, then K, M, G, T, P with two decimals. */
    public static String bytesToHuman(long n) {
        if (n < 0) return Long.toUnsignedString(n) + "B";
        String[] units = {"K", "M", "G", "T", "P"};
        if (n < 1024) return n + "B";
        double d = n;
        for (String u : units) {
            d /= 1024;
            if (d < 1024 || u.equals("P")) {
                if (u.equals("P") && d >= 1024) return n + "B";
                return String.format(Locale.ROOT, "%.2f%s", d, u);
            }
        }
        return n + "B";
    }
}
