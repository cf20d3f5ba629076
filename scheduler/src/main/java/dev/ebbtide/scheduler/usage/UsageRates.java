package dev.ebbtide.scheduler.usage;

import dev.ebbtide.common.compute.VmCatalogue;
import dev.ebbtide.common.compute.VmPrices;
import dev.ebbtide.common.compute.VmSize;
import dev.ebbtide.core.usage.Machine;
import dev.ebbtide.core.usage.Rates;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Cores and GPUs from the VM catalogue, estimated prices from {@code vm-prices.csv} (common). Sizes outside the
 * catalogue ({@code local}, {@code attached}) count node-seconds only.
 */
@ApplicationScoped
public class UsageRates implements Rates {
    public static final String CURRENCY = "USD";

    @Override
    public Rate of(Machine m) {
        Optional<VmSize> size = VmCatalogue.standard().find(m.size());
        Double price = VmPrices.standard()
                .find(m.size(), m.region(), m.tier())
                .map(VmPrices.Price::perHour)
                .orElse(null);
        return new Rate(
                size.map(VmSize::vcpus).orElse(0), size.map(VmSize::gpus).orElse(0), price);
    }

    @Override
    public String currency() {
        return CURRENCY;
    }
}
