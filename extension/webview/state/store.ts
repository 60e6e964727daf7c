// A minimal observable store around a pure reducer.

export type Listener<S> = (state: S, previous: S) => void;

export type Store<S, A> = {
  getState(): S;
  dispatch(action: A): void;
  subscribe(listener: Listener<S>): () => void;
};

export function createStore<S, A>(reducer: (state: S, action: A) => S, initial: S): Store<S, A> {
  let state = initial;
  const listeners = new Set<Listener<S>>();
  return {
    getState: () => state,
    dispatch(action) {
      const previous = state;
      state = reducer(state, action);
      if (state === previous) return;
      for (const listener of listeners) listener(state, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
