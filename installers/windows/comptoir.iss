; Comptoir for Windows: Inno Setup 6 script, saved as UTF-8 with a BOM so ISCC reads the French text right.
; Built by `python installers/build.py` on Windows, which runs
;   ISCC /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 /DSourceDir=dist\Comptoir /DOutputDir=dist
;        /DOutputBaseFilename=Comptoir-0.1.0-windows-x64-setup /DIconFile=build\installer\icons\comptoir.ico
;        installers\windows\comptoir.iss
;
; Per-user install by default (no administrator rights: %LOCALAPPDATA%\Programs\Comptoir); "install for all
; users" stays available from the dialog or with /ALLUSERS. The uninstaller never deletes the merchant's
; workspace by itself: it asks, and if the merchant says yes it runs Comptoir's own erase command
; (`Comptoir.exe erase --all --yes`), which also removes the key from the Windows Credential Locker.
; Silent uninstall (/VERYSILENT) keeps the workspace unless /ERASEWORKSPACE is given.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z (installers/build.py does)
#endif
#ifndef AppVersionNumeric
  ; Windows' four-number file version (1.2.0rc1 → 1.2.0.0); installers/build.py passes it.
  #define AppVersionNumeric AppVersion
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\Comptoir"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputBaseFilename
  #define OutputBaseFilename "Comptoir-" + AppVersion + "-windows-x64-setup"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\installer\icons\comptoir.ico"
#endif

#define AppName "Comptoir"
#define AppExe "Comptoir.exe"

[Setup]
; A fixed AppId: upgrades replace the previous version in place. Never change it.
AppId={{5C0F5A8E-3B7D-4E55-9C1B-6F2A0D1E8B47}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersionNumeric}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseFilename}
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=auto

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"

[CustomMessages]
en.EraseQuestion=Also erase your Comptoir workspace on this computer?%n%nThis permanently deletes your encrypted mail, orders, drafts, settings and backups, and the key kept in Windows. It cannot be undone.%n%nChoose No to keep them, for example to reinstall Comptoir later.
fr.EraseQuestion=Effacer aussi votre espace de travail Comptoir sur cet ordinateur ?%n%nCela supprime définitivement vos messages chiffrés, commandes, brouillons, réglages et sauvegardes, ainsi que la clé gardée par Windows. C'est irréversible.%n%nChoisissez Non pour les garder, par exemple pour réinstaller Comptoir plus tard.
en.EraseFailed=Comptoir could not erase your workspace (exit code %1). Nothing was deleted: your data is still in your user folder (AppData\Local\Comptoir).
fr.EraseFailed=Comptoir n'a pas pu effacer votre espace de travail (code %1). Rien n'a été supprimé : vos données sont toujours dans votre dossier utilisateur (AppData\Local\Comptoir).

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; AppUserModelID: "fr.comptoir.Comptoir"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] for user data, on purpose: only the app's own erase command may delete a workspace.

[Code]
function HasParam(const Name: String): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), Name) = 0 then
    begin
      Result := True;
      Exit;
    end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Erase: Boolean;
  ResultCode: Integer;
begin
  { usUninstall: before any file is removed, so Comptoir.exe is still there to do the erasing. }
  if CurUninstallStep <> usUninstall then
    Exit;
  if UninstallSilent then
    Erase := HasParam('/ERASEWORKSPACE')
  else
    Erase := MsgBox(CustomMessage('EraseQuestion'), mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
  if not Erase then
  begin
    Log('Workspace kept (the merchant did not ask to erase it).');
    Exit;
  end;
  if Exec(ExpandConstant('{app}\{#AppExe}'), 'erase --all --yes', '', SW_HIDE, ewWaitUntilTerminated, ResultCode)
     and (ResultCode = 0) then
    Log('Workspace erased by Comptoir.exe erase --all --yes.')
  else
  begin
    Log(Format('Comptoir.exe erase --all --yes failed (exit code %d); the workspace was left in place.', [ResultCode]));
    if not UninstallSilent then
      MsgBox(FmtMessage(CustomMessage('EraseFailed'), [IntToStr(ResultCode)]), mbError, MB_OK);
  end;
end;
