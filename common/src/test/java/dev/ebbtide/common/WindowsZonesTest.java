package dev.ebbtide.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.azureml.WindowsZones;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowsZonesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "Pacific Standard Time, America/Los_Angeles",
        "pacific standard time, America/Los_Angeles",
        "W. Europe Standard Time, Europe/Berlin",
        "GMT Standard Time, Europe/London",
        "India Standard Time, Asia/Calcutta",
        "Tokyo Standard Time, Asia/Tokyo",
        "AUS Eastern Standard Time, Australia/Sydney",
        "UTC-11, Etc/GMT+11",
        "UTC, Etc/UTC",
    })
    void mapsWindowsNamesWithCldrsTable(String windows, String iana) {
        assertEquals(Optional.of(ZoneId.of(iana)), WindowsZones.toIana(windows));
    }

    @Test
    void everyRowOfTheTableMapsToAZoneThisJavaKnows() throws Exception {
        var lines = new String(
                        WindowsZones.class
                                .getResourceAsStream("windows-zones.txt")
                                .readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .toList();
        assertTrue(lines.size() > 130, "CLDR has about 140 Windows zones, got " + lines.size());
        for (String line : lines) {
            String[] parts = line.split("\\|");
            assertEquals(Optional.of(ZoneId.of(parts[1])), WindowsZones.toIana(parts[0]), line);
        }
    }

    @Test
    void aNameThatIsNotWindowsIsNotMapped() {
        assertEquals(Optional.empty(), WindowsZones.toIana("Europe/Berlin"));
        assertEquals(Optional.empty(), WindowsZones.toIana("Mars Standard Time"));
    }

    @Test
    void theClisOwnScheduleExampleIsAccepted() throws Exception {
        ClusterSpec spec = AzureMlYaml.parseCluster(Files.readString(
                Path.of("src/test/resources/azureml-examples/resources/compute/instance-schedule.yml")));
        assertEquals("schedule-example-i", spec.name());
        var schedule = spec.instance().schedules().get(0);
        assertEquals("stop", schedule.action());
        assertEquals("0 18 * * *", schedule.expression());
        assertEquals("America/Los_Angeles", schedule.timeZone(), "stored as the IANA zone readers can use");
    }

    @Test
    void anUnknownZoneIsStillRefusedNamingTheForms() {
        InvalidSpecException e = assertThrows(
                InvalidSpecException.class,
                () -> AzureMlYaml.parseCluster("name: i1\ntype: computeinstance\nschedules: {compute_start_stop: "
                        + "[{action: stop, trigger: {type: cron, expression: 0 8 * * *, time_zone: Mars Time}}]}"));
        assertTrue(e.getMessage().contains("or a Windows zone such as Pacific Standard Time"), e.getMessage());
    }
}
