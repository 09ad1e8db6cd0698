package dev.ferry.engine.config;

import dev.ferry.store.Glob;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The CONFIG parameter table: every name CONFIG GET and SET know (aliases are rows of their own), in a
 * stable order, and the helpers that register a parameter of each of config.c's types.
 */
public final class ConfigRegistry {

    /** Checks a CONFIG SET value of one type and returns it as CONFIG GET would show it. */
    @FunctionalInterface
    public interface Normalizer {
        String normalize(String value) throws InvalidValue;
    }

    private final Map<String, Param> params = new LinkedHashMap<>();

    /** The parameter called name (any case), alias rows included; null when Ferry has no such setting. */
    public Param param(String name) {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every parameter, aliases included, in a stable order. */
    public Collection<Param> all() {
        return Collections.unmodifiableCollection(params.values());
    }

    /** Parameters whose name matches a glob (case-insensitive, as CONFIG GET matches). */
    public List<Param> matching(String glob) {
        List<Param> out = new ArrayList<>();
        for (Param p : params.values()) if (Glob.matches(glob, p.name(), true)) out.add(p);
        return out;
    }

    // ---- registration ------------------------------------------------------------------------------------

    void add(String name, String alias, Supplier<String> get, Param.Parser parser) {
        put(new Param(name, name, get, parser, false, false), alias);
    }

    void alias(String alias, String target) {
        params.put(alias, params.get(target).alias(alias));
    }

    void immutable(String name, Supplier<String> get) {
        params.put(name, new Param(name, name, get, v -> {
            throw new InvalidValue("can't set immutable config");
        }, true, false));
    }

    void protectedParam(String name, Supplier<String> get, Param.Parser parser) {
        params.put(name, new Param(name, name, get, parser, false, true));
    }

    void integer(String name, String alias, long min, long max, LongSupplier get, LongConsumer set) {
        add(name, alias, () -> Long.toString(get.getAsLong()), v -> {
            long n = ConfigValues.parseInteger(v, min, max);
            return () -> set.accept(n);
        });
    }

    void bool(String name, BooleanSupplier get, Consumer<Boolean> set) {
        bool(name, null, get, set);
    }

    void bool(String name, String alias, BooleanSupplier get, Consumer<Boolean> set) {
        add(name, alias, () -> ConfigValues.yesNo(get.getAsBoolean()), v -> {
            boolean b = ConfigValues.parseBool(v);
            return () -> set.accept(b);
        });
    }

    void memory(String name, String alias, long min, long max, LongSupplier get, LongConsumer set) {
        add(name, alias, () -> Long.toString(get.getAsLong()), v -> {
            long n = ConfigValues.parseMemoryValue(v);
            ConfigValues.checkBounds(n, min, max);
            return () -> set.accept(n);
        });
    }

    /**
     * A setting of a feature Ferry does not have: it keeps value; CONFIG SET checks the value with its type's
     * rules and words, accepts the current value and refuses any other with the reason missing.
     */
    void fixed(String name, String alias, String value, Normalizer type, String missing) {
        add(name, alias, () -> value, v -> {
            if (!type.normalize(v).equals(value)) throw new InvalidValue(missing);
            return () -> { };
        });
    }

    private void put(Param p, String alias) {
        params.put(p.name(), p);
        if (alias != null) params.put(alias, p.alias(alias));
    }

    // ---- value types ---------------------------------------------------------------------------------------

    static Normalizer bool() {
        return v -> ConfigValues.yesNo(ConfigValues.parseBool(v));
    }

    static Normalizer integer(long min, long max) {
        return v -> Long.toString(ConfigValues.parseInteger(v, min, max));
    }

    /** An unsigned long long memory value (maxmemory): 0..18446744073709551615. */
    static Normalizer unsignedMemory() {
        return v -> Long.toUnsignedString(ConfigValues.parseMemoryValue(v));
    }

    static Normalizer memory(long min, long max) {
        return v -> {
            long n = ConfigValues.parseMemoryValue(v);
            ConfigValues.checkBounds(n, min, max);
            return Long.toString(n);
        };
    }

    static Normalizer oneOf(String... values) {
        return v -> ConfigValues.parseEnum(v, values);
    }

    static Normalizer string() {
        return v -> v;
    }
}
