/**
 * The looking glass's probes: the system {@code ping} and {@code traceroute} run with fixed arguments (no shell, the
 * target an IP literal), and their output parsed into plain records. No Quarkus here: parsers are tested on captured
 * outputs as plain Java.
 */
package io.peering.routes.probe;
