/**
 * The bank's read views: projections that keep SQL tables of accounts, transactions and totals, and the queries over
 * them, with the SQL in per-dialect resources.
 */
package jangle.banking.app.views;
