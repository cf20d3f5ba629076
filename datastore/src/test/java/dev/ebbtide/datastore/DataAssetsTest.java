package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.data.DataUri;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataAssetsTest {
    @TempDir
    Path tmp;

    LocalDatastore store;
    DataAssets assets;
    Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @BeforeEach
    void setUp() {
        store = new LocalDatastore("workspaceblobstore", tmp);
        assets = new DataAssets(store, new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                now = now.plusSeconds(1);
                return now;
            }
        });
    }

    @Test
    void versionsAreAssignedListedAndLatestIsTheNewest() throws IOException {
        String p = "azureml://datastores/workspaceblobstore/paths/LocalUpload/abc/iris.csv";
        DataAssets.DataAsset v1 = assets.create("iris", null, "uri_file", p, "first");
        DataAssets.DataAsset v2 = assets.create("iris", null, "uri_file", p, null);
        assets.create("other", null, "uri_folder", "https://example.org/data/", null);
        assertEquals("1", v1.version());
        assertEquals("2", v2.version());
        assertEquals("azureml:iris:2", v2.uri());
        assertTrue(store.exists("azureml/assets/data/iris/1.json"));
        assertEquals(
                List.of("1", "2"),
                assets.list("iris").stream().map(DataAssets.DataAsset::version).toList());
        assertEquals(3, assets.list(null).size());
        assertEquals(v2, assets.get("iris", null));
        assertEquals(v1, assets.get("iris", "1"));
        assertEquals(v1, assets.resolve((DataUri.Asset) DataUri.parse("azureml:iris:1")));
        DataAssets.DataAsset named = assets.create("iris", "2026-12", "uri_file", p, null);
        assertEquals(named, assets.get("iris", null), "latest is the most recently created");
        assertEquals("3", assets.create("iris", null, "uri_file", p, null).version());
    }

    @Test
    void aVersionIsNeverOverwritten() throws IOException {
        String p = "azureml://datastores/workspaceblobstore/paths/a.csv";
        assets.create("iris", "1", "uri_file", p, "original");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> assets.create(
                        "iris", "1", "uri_file", "azureml://datastores/workspaceblobstore/paths/b.csv", null));
        assertEquals(
                "data asset iris version 1 already exists; versions are never overwritten: give another version or none",
                e.getMessage());
        assertEquals("original", assets.get("iris", "1").description());
    }

    @Test
    void badInputsAreOneSentence() {
        String p = "azureml://datastores/workspaceblobstore/paths/a.csv";
        assertThrows(IllegalArgumentException.class, () -> assets.create("bad name", null, "uri_file", p, null));
        IllegalArgumentException type =
                assertThrows(IllegalArgumentException.class, () -> assets.create("x", null, "mltable", p, null));
        assertTrue(type.getMessage().contains("'mltable' is not supported"), type.getMessage());
        assertThrows(IllegalArgumentException.class, () -> assets.create("x", null, "uri_file", "./local.csv", null));
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> assets.get("nothing", null));
        assertTrue(missing.getMessage().contains("azureml:nothing@latest"), missing.getMessage());
        assertThrows(NoSuchFileException.class, () -> assets.get("nothing", "4"));
    }
}
