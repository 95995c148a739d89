package dev.d2r2.broker;

/**
 * The faults a channel must tolerate once the broker is replicated. Stored and reported now; a
 * single-node broker tolerates neither.
 */
public enum FaultModel { CRASH, BYZANTINE }
