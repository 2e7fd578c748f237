/**
 * The Jangle Banking domain: the command, event and query families of the bank, its aggregates (accounts, account
 * creation, transfers) and sagas, depending on the Jangle core alone.
 */
package jangle.banking;
