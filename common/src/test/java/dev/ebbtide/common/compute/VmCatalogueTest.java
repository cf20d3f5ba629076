package dev.ebbtide.common.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.InvalidSpecException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VmCatalogueTest {
    private final VmCatalogue catalogue = VmCatalogue.standard();

    @ParameterizedTest
    @CsvSource({
        "STANDARD_DS3_v2, Standard_DS3_v2, standardDSv2Family, 4, 0, false",
        "standard_nc6s_v3, Standard_NC6s_v3, standardNCSv3Family, 6, 1, true",
        "' Standard_ND40rs_v2 ', Standard_ND40rs_v2, standardNDSv2Family, 40, 8, true",
        "Standard_NC4as_T4_v3, Standard_NC4as_T4_v3, standardNCASv3_T4Family, 4, 1, false",
        "standard_f8s_v2, Standard_F8s_v2, standardFSv2Family, 8, 0, false"
    })
    void findsSizesWhateverTheirCase(String asked, String name, String family, int vcpus, int gpus, boolean approval) {
        VmSize s = catalogue.require(asked);
        assertEquals(name, s.name());
        assertEquals(family, s.family());
        assertEquals(vcpus, s.vcpus());
        assertEquals(gpus, s.gpus());
        assertEquals(approval, s.approvalRequired());
    }

    @Test
    void coversEverySeriesOfAzureMlsTableWithItsRestriction() {
        Set<String> approval = Set.of("HBv2", "HCS", "M", "NCsv2", "NCsv3", "NDs", "NDv2", "NVv3");
        Set<String> free = Set.of("D", "Dv2", "Dv3", "DSv2", "DSv3", "FSv2", "NC", "NV");
        Set<String> seen = catalogue.all().stream().map(VmSize::series).collect(Collectors.toSet());
        assertTrue(seen.containsAll(approval) && seen.containsAll(free), "missing series: " + seen);
        for (VmSize s : catalogue.all()) {
            if (approval.contains(s.series()) || free.contains(s.series())) {
                assertEquals(approval.contains(s.series()), s.approvalRequired(), s.name());
            }
            assertTrue(s.vcpus() > 0 && s.memoryGib() > 0, s.name());
            assertEquals(s.gpus() > 0, !s.gpuModel().isEmpty(), s.name());
        }
    }

    @Test
    void anUnknownSizeNamesTheNearestOnes() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> catalogue.require("Standard_NC6s_v4"));
        assertTrue(
                e.getMessage()
                        .startsWith("unknown VM size 'Standard_NC6s_v4'; nearest: Standard_NC6s_v2, "
                                + "Standard_NC6s_v3, "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith(" (GET /vm-sizes lists them all)"), e.getMessage());
        assertEquals(List.of("Standard_DS3_v2"), catalogue.nearest("Standard_DS3v2", 1));
    }

    @ParameterizedTest
    @CsvSource({"kitten, sitting, 3", "abc, abc, 0", "'', abc, 3", "ds3_v2, ds4_v2, 1"})
    void editDistance(String a, String b, int expected) {
        assertEquals(expected, VmCatalogue.distance(a, b));
    }

    @Test
    void clusterYamlTakesTheCataloguesSpellingAndRefusesUnknownSizes() {
        assertEquals(
                "Standard_NC6s_v3",
                AzureMlYaml.parseCluster("name: gpu\nsize: STANDARD_NC6S_V3\nmax_instances: 2\n")
                        .size());
        assertEquals(
                "Standard_DS3_v2",
                AzureMlYaml.parseCluster("name: cpu\nmax_instances: 2\n").size(),
                "no size: the default stays Standard_DS3_v2");
        InvalidSpecException e = assertThrows(
                InvalidSpecException.class,
                () -> AzureMlYaml.parseCluster("name: gpu\nsize: Standard_NC6_v3\nmax_instances: 2\n"));
        assertTrue(e.getMessage().startsWith("unknown VM size 'Standard_NC6_v3'; nearest: "), e.getMessage());
        assertFalse(catalogue.find("Standard_NC6_v3").isPresent());
    }
}
