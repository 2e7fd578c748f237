/**
 * JSON serialization of everything Jangle stores (§13, J1–J8), with Jackson: {@link jangle.json.JsonCodec} writes and
 * strictly reads event payloads (with upcasting by type name and schema version), metadata and snapshot states, and
 * {@link jangle.json.RoundTripCheck} is the J8 test utility. One codec per application, built from its
 * {@link jangle.TypeRegistry}; there is no global registry.
 */
package jangle.json;
