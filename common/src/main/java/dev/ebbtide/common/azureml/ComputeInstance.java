package dev.ebbtide.common.azureml;

import java.util.List;

/**
 * What an Azure ML {@code type: computeinstance} document says beyond its name and size.
 *
 * @param idleTimeBeforeShutdownSeconds stop the instance after this long without a job; null = never
 * @param schedules                     cron start/stop schedules, in the order given
 */
public record ComputeInstance(Long idleTimeBeforeShutdownSeconds, List<Schedule> schedules) {

    /**
     * One {@code schedules.compute_start_stop} entry.
     *
     * @param action     {@code start} or {@code stop}
     * @param expression a five-field cron expression (minute hour day-of-month month day-of-week)
     * @param timeZone   the IANA zone the expression is read in (Azure ML's default: UTC; a Windows name such as
     *                   {@code Pacific Standard Time} is stored as the IANA zone CLDR maps it to)
     * @param enabled    false for {@code state: disabled}
     */
    public record Schedule(String action, String expression, String timeZone, boolean enabled) {}

    public ComputeInstance {
        schedules = schedules == null ? List.of() : List.copyOf(schedules);
    }
}
