/**
 * The {@code jangle-bank} command line: subcommands, the interactive terminal screen, and text and JSON output.
 */
package jangle.banking.app.cli;
