package dev.d2r2.core.nagios;

/**
 * One performance-data item: {@code 'label'=value[UOM];[warn];[crit];[min];[max]}. Warn and crit
 * are kept as the plugin wrote them (Nagios range syntax such as {@code 10:} or {@code @5:10}).
 */
public record PerfData(String label, double value, String unit, String warn, String crit, Double min, Double max) {
}
