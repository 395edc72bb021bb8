/**
 * A path box acts on Enter as its button does on a click (a student types a path, then presses
 * Enter); `act` runs only where the button would be enabled.
 */
export function onEnter(act: () => unknown, enabled: () => boolean = () => true): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key === 'Enter' && enabled()) void act()
  }
}
