package dev.ebbtide.common.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VmPricesTest {
    final VmPrices prices = VmPrices.standard();

    @Test
    void everyPricedSizeIsInTheCatalogueAndSpotIsCheaper() {
        Map<String, Double> dedicated = new HashMap<>();
        for (VmPrices.Price p : prices.all()) {
            assertTrue(VmCatalogue.standard().find(p.size()).isPresent(), p.size() + " is not in vm-sizes.csv");
            assertEquals("USD", p.currency(), p.size());
            if (p.tier().equals("dedicated")) {
                dedicated.put(p.size() + "|" + p.region(), p.perHour());
            }
        }
        for (VmPrices.Price p : prices.all()) {
            if (p.tier().equals("low_priority")) {
                Double d = dedicated.get(p.size() + "|" + p.region());
                assertTrue(d != null && p.perHour() < d, p + " must have a dearer dedicated row");
            }
        }
    }

    @Test
    void aRegionWithoutItsOwnRowUsesTheAnyRegionRow() {
        assertEquals(
                3.823,
                prices.find("Standard_NC6s_v3", "westeurope", "dedicated")
                        .orElseThrow()
                        .perHour());
        assertEquals(
                3.06,
                prices.find("Standard_NC6s_v3", "japaneast", "dedicated")
                        .orElseThrow()
                        .perHour());
        assertEquals(
                3.06,
                prices.find("standard_nc6s_v3", null, "dedicated").orElseThrow().perHour());
        assertTrue(prices.find("local", "eastus", "dedicated").isEmpty());
    }
}
