package dev.ferry.engine.config;

import java.util.function.Supplier;

/** One CONFIG parameter; an alias (slave-read-only) is its own row sharing the value of its target. */
public final class Param {

    /** Turns a CONFIG SET value into the action that applies it (checked first, applied later). */
    @FunctionalInterface
    public interface Parser {
        Runnable parse(String value) throws InvalidValue;
    }

    private final String name;
    private final String canonical;
    private final Supplier<String> getter;
    private final Parser parser;
    private final boolean immutable;
    private final boolean protectedConfig;

    Param(String name, String canonical, Supplier<String> getter, Parser parser, boolean immutable, boolean protectedConfig) {
        this.name = name;
        this.canonical = canonical;
        this.getter = getter;
        this.parser = parser;
        this.immutable = immutable;
        this.protectedConfig = protectedConfig;
    }

    /** The same parameter under another name. */
    Param alias(String alias) {
        return new Param(alias, canonical, getter, parser, immutable, protectedConfig);
    }

    public String name() {
        return name;
    }

    /** The name an alias stands for (its own name when it is not an alias). */
    public String canonical() {
        return canonical;
    }

    public String get() {
        return getter.get();
    }

    /** Redis's IMMUTABLE_CONFIG: readable, never settable at run time. */
    public boolean immutable() {
        return immutable;
    }

    /** Redis's PROTECTED_CONFIG (dir, dbfilename): settable only with enable-protected-configs. */
    public boolean isProtected() {
        return protectedConfig;
    }

    /** Checks a value and returns the action that sets it; throws with Redis's reason when invalid. */
    public Runnable prepare(String value) throws InvalidValue {
        return parser.parse(value);
    }
}
