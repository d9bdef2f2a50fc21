// Package deploy is the server side of `gopk deploy` and the client that
// talks to it: versions of projects kept on disk, their validation and atomic
// activation on live rooms, project env vars, the log stream behind
// `gopk tail`, bearer-token auth, and the admin HTTP API (/_gopk/v1/…).
//
// A version is everything needed to run a project without its sources: one
// bundle per party (JS with an inline source map), the run-time part of the
// config (vars, process env, crons, serve options) and the static assets.
// It travels as a gzipped tar archive (see Pack) and lives unpacked under
// <data>/projects/<name>/versions/<n>/.
package deploy
