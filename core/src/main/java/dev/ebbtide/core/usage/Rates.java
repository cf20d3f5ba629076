package dev.ebbtide.core.usage;

/** What an hour of a machine is: its cores and GPUs, and its estimated price (null when the price table has none). */
public interface Rates {
    Rate of(Machine machine);

    /** The price table's currency, e.g. {@code USD}. */
    String currency();

    /**
     * @param pricePerHour the estimated price of one node-hour, null when unknown
     */
    record Rate(int cores, int gpus, Double pricePerHour) {}
}
