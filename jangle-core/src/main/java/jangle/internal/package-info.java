/**
 * Not an API: the invoker shapes and the binder that turn annotated methods into fast calls at registration, and the
 * default id supplier. The types are public only so that generated classes in user packages can implement them; the
 * package is left out of the javadoc, is not part of the compatibility promise and may change in any release. (With
 * an automatic module name every package is technically exported; treat this one as if it were not.)
 */
package jangle.internal;
