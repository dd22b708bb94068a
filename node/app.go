package node

import (
	"fmt"
	"path/filepath"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	abcitypes "github.com/ballot-bft/ballot/abci/types"
	"github.com/ballot-bft/ballot/config"
)

// appCreator returns the client creator for proxy_app: one of the built-in applications by name
// (as in CometBFT, "kvstore" keeps its state in memory and "persistent_kvstore" in the data
// directory), or the address of an application listening on a socket. The closer, if non-nil, releases the
// built-in application's resources.
func appCreator(cfg *config.Config) (appconn.ClientCreator, func() error, error) {
	switch cfg.ProxyApp {
	case "kvstore":
		return appconn.NewLocalCreator(kvstore.NewInMemoryApplication(kvstore.Options{})), nil, nil
	case "kvstore_connsync":
		return appconn.NewConnSyncLocalCreator(kvstore.NewInMemoryApplication(kvstore.Options{})), nil, nil
	case "persistent_kvstore", "persistent_kvstore_connsync":
		app, err := kvstore.NewPersistentApplication(filepath.Join(cfg.DBDir(), "kvstore.db"), kvstore.Options{})
		if err != nil {
			return nil, nil, fmt.Errorf("built-in persistent_kvstore: %w", err)
		}
		if cfg.ProxyApp == "persistent_kvstore_connsync" {
			return appconn.NewConnSyncLocalCreator(app), app.Close, nil
		}
		return appconn.NewLocalCreator(app), app.Close, nil
	case "noop":
		return appconn.NewLocalCreator(abcitypes.BaseApplication{}), nil, nil
	case "":
		return nil, nil, fmt.Errorf("proxy_app is empty: set it to an application address (tcp://127.0.0.1:26658) or \"kvstore\"")
	default:
		return appconn.NewRemoteCreator(cfg.ProxyApp, cfg.ABCI, false), nil, nil
	}
}
