package dev.ferry.engine.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * client-output-buffer-limit: a hard limit, a soft limit and the soft limit's seconds for each of Redis's
 * three client classes (normal, replica, pubsub), with Redis's defaults, CONFIG GET text and CONFIG SET
 * syntax and errors (config.c's setConfigClientOutputBufferLimitOption).
 */
public final class OutputBufferLimits {
    public static final int NORMAL = 0;
    public static final int REPLICA = 1;
    public static final int PUBSUB = 2;
    private static final String[] NAMES = {"normal", "slave", "pubsub"};

    /** {hard bytes, soft bytes, soft seconds} per class; 0 = no limit. */
    private final long[][] limits = {
        {0, 0, 0},                                   // normal
        {256L * 1024 * 1024, 64L * 1024 * 1024, 60}, // slave (replica)
        {32L * 1024 * 1024, 8L * 1024 * 1024, 60},   // pubsub
    };

    public long hard(int cls) {
        return limits[cls][0];
    }

    public long soft(int cls) {
        return limits[cls][1];
    }

    public long softSeconds(int cls) {
        return limits[cls][2];
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            if (i > 0) sb.append(' ');
            long[] l = limits[i];
            sb.append(NAMES[i]).append(' ').append(Long.toUnsignedString(l[0])).append(' ')
                .append(Long.toUnsignedString(l[1])).append(' ').append(l[2]);
        }
        return sb.toString();
    }

    Runnable parse(String v) throws InvalidValue {
        String[] parts = v.isEmpty() ? new String[0] : v.split(" ", -1);
        if (parts.length % 4 != 0) throw new InvalidValue("Wrong number of arguments in buffer limit configuration.");
        List<long[]> updates = new ArrayList<>();
        for (int j = 0; j < parts.length; j += 4) {
            int cls = switch (parts[j].toLowerCase(Locale.ROOT)) {
                case "normal" -> NORMAL;
                case "slave", "replica" -> REPLICA;
                case "pubsub" -> PUBSUB;
                default -> -1;
            };
            if (cls < 0) throw new InvalidValue("Invalid client class specified in buffer limit configuration.");
            long hard, soft;
            Long seconds = ConfigValues.strtoll(parts[j + 3]);
            try {
                hard = ConfigValues.parseMemoryValue(parts[j + 1]);
                soft = ConfigValues.parseMemoryValue(parts[j + 2]);
            } catch (InvalidValue e) {
                seconds = null;
                hard = soft = 0;
            }
            if (seconds == null || seconds < 0) {
                throw new InvalidValue("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            }
            updates.add(new long[] {cls, hard, soft, seconds});
        }
        return () -> {
            for (long[] u : updates) limits[(int) u[0]] = new long[] {u[1], u[2], u[3]};
        };
    }
}
