package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code EBBTIDE_LOCAL_CAPACITY} becomes the provisioner's per-size capacity settings for {@code ./ebbtide up}. */
class LocalCapacityTest {
    @Test
    void eachSizeBecomesAProvisionerSettingKeepingItsCase() {
        assertEquals(
                Map.of(
                        "provisioner:ebbtide.local.capacity.Standard_DS4_v2", "3",
                        "provisioner:ebbtide.local.capacity.Standard_NC6s_v3", "0"),
                LocalStack.localCapacity(
                        Map.of(LocalStack.LOCAL_CAPACITY_ENV, "Standard_DS4_v2=3, Standard_NC6s_v3=0")));
        assertEquals(Map.of(), LocalStack.localCapacity(Map.of()));
    }

    @Test
    void aBadEntryIsOneSentence() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LocalStack.localCapacity(Map.of(LocalStack.LOCAL_CAPACITY_ENV, "Standard_DS4_v2:3")));
        assertEquals(
                "EBBTIDE_LOCAL_CAPACITY entry 'Standard_DS4_v2:3' must be <VM size>=<nodes>, e.g. Standard_DS4_v2=3",
                e.getMessage());
    }
}
