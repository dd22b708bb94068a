package types

// CodeTypeOK is the response code of success; any other code is a failure the app defines.
const CodeTypeOK uint32 = 0
