/**
 * Not an API: the invoker shapes and the binder that turn annotated methods into fast calls at registration, and the
 * default id supplier. The types are public only so that generated classes in user packages can implement them; the
 * module does not export the package (the binder exports it at run time to a named module whose handlers it binds),
 * it is left out of the javadoc, is not part of the compatibility promise and may change in any release.
 */
package jangle.internal;
