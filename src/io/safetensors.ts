export function saveSafetensors(): void {}
export function loadSafetensors(): void {}
