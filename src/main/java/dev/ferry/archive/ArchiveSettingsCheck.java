package dev.ferry.archive;

import dev.ferry.config.FerryConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Fails start-up on an invalid ferry.archive.url or ferry.archive.s3.* value, with the setting's name, before the
 * server runs: a wrong setting found only at the first snapshot's upload would be found hours late. Only parses:
 * it opens no client and asks no region or credential chain.
 */
@Singleton
public class ArchiveSettingsCheck {
    @Inject
    FerryConfig config;

    void onStart(@Observes StartupEvent ev) {
        config.archive().url().filter(u -> !u.isBlank()).ifPresent(ArchiveUrl::parse);
        S3Settings.from(config.archive().s3());
    }
}
