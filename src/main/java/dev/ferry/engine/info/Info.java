package dev.ferry.engine.info;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * INFO, shaped like Redis 7.0.15's genRedisInfoString: "# Section" headers, one blank line between
 * sections, sections always in Redis's order whatever the order of the arguments. Each section is
 * registered by the subsystem that owns its fields; this class knows only the order and the selection
 * rules. Every field name is one Redis prints (ferry_version aside).
 */
public final class Info {

    /** Redis's sections in Redis's order (Latencystats omitted: Ferry does not track latency percentiles). */
    public enum Section {
        SERVER("server", "Server", true),
        CLIENTS("clients", "Clients", true),
        MEMORY("memory", "Memory", true),
        PERSISTENCE("persistence", "Persistence", true),
        STATS("stats", "Stats", true),
        REPLICATION("replication", "Replication", true),
        CPU("cpu", "CPU", true),
        /** Redis's "module_list" section, also selected as "modules". */
        MODULES("module_list", "Modules", true),
        COMMANDSTATS("commandstats", "Commandstats", false),
        ERRORSTATS("errorstats", "Errorstats", true),
        CLUSTER("cluster", "Cluster", true),
        KEYSPACE("keyspace", "Keyspace", true),
        /** Ferry's own: the snapshot archive and the bootstrap from it (absent without an archive). */
        ARCHIVE("archive", "Archive", true);

        final String name;
        final String title;
        /** In Redis's default_sections. */
        final boolean byDefault;

        Section(String name, String title, boolean byDefault) {
            this.name = name;
            this.title = title;
            this.byDefault = byDefault;
        }
    }

    /** Ferry has no modules: the Modules section is always empty, as Redis's without modules. */
    private static final InfoSection NO_MODULES = out -> { };

    private final Map<Section, InfoSection> sections = new EnumMap<>(Section.class);

    public Info() {
        sections.put(Section.MODULES, NO_MODULES);
    }

    /** Makes owner the writer of a section (one owner per section, so fields stay in Redis's order). */
    public void register(Section section, InfoSection owner) {
        if (section != Section.MODULES && sections.putIfAbsent(section, owner) != null) {
            throw new IllegalStateException("INFO section " + section.name + " already has an owner");
        }
    }

    /** INFO's text for the section arguments (none = default). */
    public String render(List<String> args) {
        Set<String> wanted = new HashSet<>();
        boolean all = false;
        if (args.isEmpty()) wanted.add("default");
        for (String a : args) {
            String s = a.toLowerCase(Locale.ROOT);
            switch (s) {
                // Ferry has no modules, so "everything" (all + module sections) is the same as "all"
                case "all", "everything" -> all = true;
                case "modules" -> wanted.add(Section.MODULES.name);
                default -> wanted.add(s);
            }
        }
        boolean defaults = wanted.contains("default");
        InfoWriter out = new InfoWriter();
        for (Map.Entry<Section, InfoSection> e : sections.entrySet()) {
            Section s = e.getKey();
            if (all || wanted.contains(s.name) || (defaults && s.byDefault)) {
                out.section(s.title);
                e.getValue().write(out);
            }
        }
        return out.toString();
    }
}
