/**
 * The banking application's composition root: configuration, wiring of the domain to the stores and read views, the
 * demo story and replay comparison.
 */
package jangle.banking.app;
