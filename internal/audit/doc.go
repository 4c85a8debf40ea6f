// Package audit holds no code, only tests that keep azid's promises to
// auditors true as the code changes (issue 7, items 2 to 4):
//
//   - audit_test.go reads AUDIT.md at the module root and checks that every
//     file, function, method, type, constant and test it names exists, that
//     every rule row names at least one implementation and one test, and
//     that every specification the map must cover has rows.
//   - footprint_test.go checks that no package of the module, its tests
//     included, imports anything outside the standard library and the
//     module; holds the one module-wide table of the allowed imports of
//     every non-test package, each with its reason; and, unless -short,
//     builds a program that gets a token with ClientSecretCredential next
//     to one that only calls http.Get and logs both sizes. .ci/footprint
//     prints the same figures and judges them against the goal.
//   - docs_test.go checks with go/ast that every package has a package doc
//     comment and every exported name a doc comment.
//
// The tests read source files and run the go command (go list, go build);
// they never touch the network. The package has no exported names and is
// never imported.
package audit
