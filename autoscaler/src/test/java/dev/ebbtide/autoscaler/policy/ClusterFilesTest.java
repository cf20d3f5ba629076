package dev.ebbtide.autoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a cluster file defines at start-up: creates, keeps runtime changes, or (edited) becomes a new version. */
class ClusterFilesTest {
    static final ClusterSpec FILE = new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 120, null);
    static final ClusterDefined CHANGED_AT_RUNTIME =
            new ClusterDefined(FILE.withScaleSettings(1, 4, 600), "adaptive", Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void aNewClusterIsCreatedFromItsFile() {
        ClusterFiles.Definition d = ClusterFiles.define(FILE, null, null);
        assertEquals(FILE, d.spec());
        assertNull(d.policy());
        assertEquals("created from its cluster file", d.reason());
    }

    @Test
    void anUnchangedFileKeepsTheChangesMadeAtRuntime() {
        ClusterFiles.Definition d = ClusterFiles.define(FILE, CHANGED_AT_RUNTIME, ClusterFiles.settings(FILE));
        assertEquals(CHANGED_AT_RUNTIME.spec(), d.spec());
        assertEquals("adaptive", d.policy());
        assertTrue(d.keepsRuntimeChanges());
    }

    @Test
    void aFileNeverRecordedBeforeKeepsTheChangesMadeAtRuntime() {
        assertEquals(
                CHANGED_AT_RUNTIME.spec(),
                ClusterFiles.define(FILE, CHANGED_AT_RUNTIME, null).spec());
    }

    @Test
    void anEditedFileIsApplied() {
        ClusterSpec edited = FILE.withScaleSettings(0, 8, 120);
        ClusterFiles.Definition d = ClusterFiles.define(edited, CHANGED_AT_RUNTIME, ClusterFiles.settings(FILE));
        assertEquals(edited, d.spec());
        assertEquals("adaptive", d.policy()); // files name no policy: the runtime one stays
        assertEquals("cluster file changed", d.reason());
        assertFalse(d.keepsRuntimeChanges());
    }
}
